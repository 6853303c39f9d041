package server_test

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/restgres/restgres/internal/apitest"
)

// The tests of the relational read path: resource embedding, spreads and
// aggregates, on the library of testdata/embed.sql. Expected bodies follow
// PostgREST's planning and SQL (Plan.hs, QueryBuilder.hs) on that data,
// errors are compared whole, and the few cases where restgres answers
// differently on purpose say why.

func newEmbedAPI(t *testing.T, opts ...apitest.Option) *apitest.API {
	t.Helper()
	return newAPI(t, append([]apitest.Option{apitest.Fixture("testdata/embed.sql")}, opts...)...)
}

// getCase is one GET and the JSON body it must answer with 200.
type getCase struct {
	name, path, want string
}

// runGets runs the cases in parallel on one API.
func runGets(t *testing.T, api *apitest.API, cases []getCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api.Get(t, tc.path).Status(t, http.StatusOK).JSON(t, tc.want).
				HeaderIs(t, "Content-Type", "application/json; charset=utf-8")
		})
	}
}

// errCase is one GET and the whole error body it must answer with.
type errCase struct {
	name, path string
	status     int
	code, want string
}

func runErrors(t *testing.T, api *apitest.API, cases []errCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api.Get(t, tc.path).Error(t, tc.status, tc.code).JSON(t, tc.want)
		})
	}
}

func TestEmbedRelationshipKinds(t *testing.T) {
	t.Parallel()
	api := newEmbedAPI(t)
	runGets(t, api, []getCase{
		{"many-to-one", "/books?select=title,categories(name)&id=lt.3&order=id",
			`[{"title":"The Dispossessed","categories":{"name":"Science fiction"}},{"title":"Solaris","categories":{"name":"Science fiction"}}]`},
		{"one-to-many", "/categories?select=name,books(title)&id=eq.2&books.order=id",
			`[{"name":"Science fiction","books":[{"title":"The Dispossessed"},{"title":"Solaris"},{"title":"Fiasco"}]}]`},
		{"one-to-many without rows is an empty array", "/categories?select=name,books(title)&id=eq.4",
			`[{"name":"Non-fiction","books":[]}]`},
		// covers.book_id is unique: one-to-one, an object (or null) both ways
		{"one-to-one from the referenced side", "/books?select=title,covers(color)&id=in.(1,2)&order=id",
			`[{"title":"The Dispossessed","covers":{"color":"blue"}},{"title":"Solaris","covers":null}]`},
		{"one-to-one from the referencing side", "/covers?select=color,books(title)&order=id",
			`[{"color":"blue","books":{"title":"The Dispossessed"}},{"color":"red","books":{"title":"The Cyberiad"}},{"color":"black","books":{"title":"SPQR"}}]`},
		{"many-to-many", "/books?select=title,tags(name)&id=eq.1&tags.order=name",
			`[{"title":"The Dispossessed","tags":[{"name":"anarchism"},{"name":"classic"}]}]`},
		{"many-to-many other way", "/tags?select=name,books(title)&order=id&books.order=id",
			`[{"name":"classic","books":[{"title":"The Dispossessed"},{"title":"The Cyberiad"}]},
			  {"name":"robots","books":[{"title":"The Cyberiad"},{"title":"Fiasco"}]},
			  {"name":"anarchism","books":[{"title":"The Dispossessed"}]},
			  {"name":"rome","books":[{"title":"SPQR"}]},
			  {"name":"unused","books":[]}]`},
		{"junction itself", "/books?select=title,book_tags(tag_id)&id=eq.3&book_tags.order=tag_id",
			`[{"title":"The Cyberiad","book_tags":[{"tag_id":1},{"tag_id":2}]}]`},
		// self-reference: the column names the parent, the table the children
		{"self parent", "/categories?select=name,parent:parent_id(name)&id=in.(1,3)&order=id",
			`[{"name":"Fiction","parent":null},{"name":"Space opera","parent":{"name":"Science fiction"}}]`},
		{"self children", "/categories?select=name,children:categories(name)&id=eq.1",
			`[{"name":"Fiction","children":[{"name":"Science fiction"}]}]`},
		{"self children by hint", "/categories?select=name,subs:categories!parent_id(name)&id=eq.4",
			`[{"name":"Non-fiction","subs":[{"name":"History"}]}]`},
		{"recursive down", "/categories?select=name,children:categories(name,children:categories(name,children:categories(name)))&id=eq.1",
			`[{"name":"Fiction","children":[{"name":"Science fiction","children":[{"name":"Space opera","children":[]}]}]}]`},
		{"recursive up", "/categories?select=name,parent:parent_id(name,parent:parent_id(name))&id=eq.3",
			`[{"name":"Space opera","parent":{"name":"Science fiction","parent":{"name":"Fiction"}}}]`},
		// views inherit the keys of the columns they keep
		{"view many-to-one", "/book_list?select=title,authors!books_author_fk(name)&id=eq.3",
			`[{"title":"The Cyberiad","authors":{"name":"Stanisław Lem"}}]`},
		{"view one-to-many", "/authors?select=name,book_list!books_author_fk(title)&id=eq.1&book_list.order=id",
			`[{"name":"Ursula K. Le Guin","book_list":[{"title":"The Dispossessed"},{"title":"A Wizard of Earthsea"}]}]`},
		{"view many-to-many through a table junction", "/book_list?select=title,authors!book_editors(name)&id=eq.6",
			`[{"title":"Fiasco","authors":[{"name":"Mary Beard"}]}]`},
		{"view of a view", "/recent_books?select=title,authors!books_author_fk(name)&order=id",
			`[{"title":"The Dispossessed","authors":{"name":"Ursula K. Le Guin"}},
			  {"title":"The Cyberiad","authors":{"name":"Stanisław Lem"}},
			  {"title":"SPQR","authors":{"name":"Mary Beard"}},
			  {"title":"A Wizard of Earthsea","authors":{"name":"Ursula K. Le Guin"}},
			  {"title":"Fiasco","authors":{"name":"Stanisław Lem"}}]`},
		{"view of a view one-to-many", "/authors?select=name,recent_books!books_author_fk(title)&id=eq.2&recent_books.order=title",
			`[{"name":"Stanisław Lem","recent_books":[{"title":"Fiasco"},{"title":"The Cyberiad"}]}]`},
		{"materialized view", "/category_counts?select=n_books,categories(name)&order=category_id",
			`[{"n_books":1,"categories":{"name":"Fiction"}},{"n_books":3,"categories":{"name":"Science fiction"}},
			  {"n_books":1,"categories":{"name":"Space opera"}},{"n_books":1,"categories":{"name":"History"}}]`},
		{"materialized view one-to-many", "/categories?select=name,category_counts(n_books)&id=eq.2",
			`[{"name":"Science fiction","category_counts":[{"n_books":3}]}]`},
		// computed relationships
		{"computed not SETOF is to-one", "/books?select=title,writer(name)&id=eq.3",
			`[{"title":"The Cyberiad","writer":{"name":"Stanisław Lem"}}]`},
		{"computed SETOF is to-many", "/authors?select=name,bibliography(title)&id=eq.1&bibliography.order=year",
			`[{"name":"Ursula K. Le Guin","bibliography":[{"title":"A Wizard of Earthsea"},{"title":"The Dispossessed"}]}]`},
		{"computed ROWS 1 is to-one", "/authors?select=name,first_book(title)&id=in.(2,5)&order=id",
			`[{"name":"Stanisław Lem","first_book":{"title":"Solaris"}},{"name":"Nobody Yet","first_book":null}]`},
		{"computed inner with filter", "/authors?select=name,bibliography!inner(title)&bibliography.year=gt.1980&order=id",
			`[{"name":"Stanisław Lem","bibliography":[{"title":"Fiasco"}]},{"name":"Mary Beard","bibliography":[{"title":"SPQR"}]}]`},
		{"computed in computed", "/books?select=title,writer(name,first_book(title))&id=eq.6",
			`[{"title":"Fiasco","writer":{"name":"Stanisław Lem","first_book":{"title":"Solaris"}}}]`},
	})
}

func TestEmbedViewAmbiguity(t *testing.T) {
	t.Parallel()
	api := newEmbedAPI(t)
	// book_list keeps author_id but not translator_id: of the three
	// books/authors relationships only two reach the view, and the error
	// names those.
	runErrors(t, api, []errCase{
		{"view", "/book_list?select=title,authors(name)", 300, "PGRST201", `{
			"code":"PGRST201",
			"message":"Could not embed because more than one relationship was found for 'book_list' and 'authors'",
			"details":[
				{"cardinality":"many-to-one","embedding":"book_list with authors","relationship":"books_author_fk using book_list(author_id) and authors(id)"},
				{"cardinality":"many-to-many","embedding":"book_list with authors","relationship":"book_editors using book_editors_book_id_fkey(book_id) and book_editors_author_id_fkey(author_id)"}],
			"hint":"Try changing 'authors' to one of the following: 'authors!books_author_fk', 'authors!book_editors'. Find the desired relationship in the 'details' key."}`},
	})
}

func TestEmbedTwoSchemas(t *testing.T) {
	t.Parallel()
	api := newEmbedAPI(t, apitest.Env("PGRST_DB_SCHEMAS", "api,api2"))
	t.Run("same names, other schema", func(t *testing.T) {
		t.Parallel()
		// api2 has its own books and authors: the join must stay in api2
		api.Get(t, "/books?select=title,authors(name)&order=id", "Accept-Profile", "api2").Status(t, 200).
			HeaderIs(t, "Content-Profile", "api2").
			JSON(t, `[{"title":"Kindred","authors":{"name":"Octavia E. Butler"}},{"title":"Dawn","authors":{"name":"Octavia E. Butler"}}]`)
		api.Get(t, "/authors?select=name,books(title)&books.order=id", "Accept-Profile", "api2").Status(t, 200).
			JSON(t, `[{"name":"Octavia E. Butler","books":[{"title":"Kindred"},{"title":"Dawn"}]}]`)
		// the default profile is the first schema
		api.Get(t, "/books?select=title,authors!books_author_fk(name)&id=eq.1").Status(t, 200).
			HeaderIs(t, "Content-Profile", "api").
			JSON(t, `[{"title":"The Dispossessed","authors":{"name":"Ursula K. Le Guin"}}]`)
	})
	t.Run("junction in the other schema", func(t *testing.T) {
		t.Parallel()
		// PostgREST names the junction with the origin's schema in the
		// join conditions ("api"."loans") and fails with 42P01; restgres
		// uses the junction's own schema.
		api.Get(t, "/books?select=title,readers(name)&id=in.(1,2)&order=id").Status(t, 200).
			JSON(t, `[{"title":"The Dispossessed","readers":[{"name":"Ana"}]},{"title":"Solaris","readers":[]}]`)
		api.Get(t, "/readers?select=name,books(title)&order=id&books.order=id").Status(t, 200).
			JSON(t, `[{"name":"Ana","books":[{"title":"The Dispossessed"},{"title":"The Cyberiad"}]},{"name":"Ben","books":[{"title":"SPQR"}]}]`)
		api.Get(t, "/readers?select=name,books!inner(title)&books.title=eq.SPQR", "Prefer", "count=exact").Status(t, 200).
			HeaderIs(t, "Content-Range", "0-0/1").
			JSON(t, `[{"name":"Ben","books":[{"title":"SPQR"}]}]`)
	})
	t.Run("no relationship across schemas", func(t *testing.T) {
		t.Parallel()
		// loans references api's tables: from api2 they are not related
		api.Get(t, "/loans?select=books(title)", "Accept-Profile", "api2").Error(t, 400, "PGRST200").JSON(t, `{
			"code":"PGRST200",
			"message":"Could not find a relationship between 'loans' and 'books' in the schema cache",
			"details":"Searched for a foreign key relationship between 'loans' and 'books' in the schema 'api2', but no matches were found.",
			"hint":"Perhaps you meant 'books' instead of 'loans'."}`)
	})
}

func TestEmbedJunctionOfHiddenSchema(t *testing.T) {
	t.Parallel()
	// api2 is not exposed: PostgREST drops relationships through its
	// junctions.
	api := newEmbedAPI(t)
	runErrors(t, api, []errCase{
		{"books to readers", "/books?select=title,readers(name)", 400, "PGRST200", `{
			"code":"PGRST200",
			"message":"Could not find a relationship between 'books' and 'readers' in the schema cache",
			"details":"Searched for a foreign key relationship between 'books' and 'readers' in the schema 'api', but no matches were found.",
			"hint":"Perhaps you meant 'covers' instead of 'readers'."}`},
		// readers keeps an (emptied) entry, so no parent is suggested,
		// and it has no child to suggest
		{"readers to books", "/readers?select=name,books(title)", 400, "PGRST200", `{
			"code":"PGRST200",
			"message":"Could not find a relationship between 'readers' and 'books' in the schema cache",
			"details":"Searched for a foreign key relationship between 'readers' and 'books' in the schema 'api', but no matches were found.",
			"hint":null}`},
	})
}

func TestEmbedFunctionResults(t *testing.T) {
	t.Parallel()
	api := newEmbedAPI(t)
	runGets(t, api, []getCase{
		{"to-one", "/rpc/books_by?p_author=2&select=title,categories(name)&order=title",
			`[{"title":"Fiasco","categories":{"name":"Science fiction"}},{"title":"Solaris","categories":{"name":"Science fiction"}},{"title":"The Cyberiad","categories":{"name":"Space opera"}}]`},
		{"spread and a root filter on a column not selected", "/rpc/books_by?p_author=2&select=title,...categories(genre:name)&year=gt.1962&order=title",
			`[{"title":"Fiasco","genre":"Science fiction"},{"title":"The Cyberiad","genre":"Space opera"}]`},
		// books have no "name": the filter is on tags (PostgREST asks the
		// function's result for it and fails with 42703)
		{"filter on an embedded column", "/rpc/books_by?p_author=2&select=title,tags!inner(name)&tags.name=eq.robots&order=title",
			`[{"title":"Fiasco","tags":[{"name":"robots"}]},{"title":"The Cyberiad","tags":[{"name":"robots"}]}]`},
		// likewise PostgREST asks for the embed's internal alias
		{"null embed filter", "/rpc/books_by?p_author=2&select=title,covers()&covers=is.null&order=title",
			`[{"title":"Fiasco"},{"title":"Solaris"}]`},
		{"null embed filter in or", "/rpc/books_by?p_author=2&select=title,covers()&or=(covers.not.is.null,year.lt.1962)&order=title",
			`[{"title":"Solaris"},{"title":"The Cyberiad"}]`},
	})
	api.Get(t, "/rpc/books_by?p_author=2&select=title,tags!inner(name)&tags.name=eq.robots", "Prefer", "count=exact").
		Status(t, 200).HeaderIs(t, "Content-Range", "0-1/2")
}

func TestEmbedAliasesAndNesting(t *testing.T) {
	t.Parallel()
	api := newEmbedAPI(t)
	runGets(t, api, []getCase{
		{"aliases", "/books?select=name:title,genre:categories(label:name)&id=eq.4",
			`[{"name":"SPQR","genre":{"label":"History"}}]`},
		{"star and embed", "/covers?select=*,books(id)&id=eq.1",
			`[{"id":1,"book_id":1,"color":"blue","books":{"id":1}}]`},
		{"three deep", "/authors?select=name,books!books_author_fk(title,categories(name,parent:parent_id(name)),tags(name))&id=eq.2&books.order=id&books.tags.order=name",
			`[{"name":"Stanisław Lem","books":[
				{"title":"Solaris","categories":{"name":"Science fiction","parent":{"name":"Fiction"}},"tags":[]},
				{"title":"The Cyberiad","categories":{"name":"Space opera","parent":{"name":"Science fiction"}},"tags":[{"name":"classic"},{"name":"robots"}]},
				{"title":"Fiasco","categories":{"name":"Science fiction","parent":{"name":"Fiction"}},"tags":[{"name":"robots"}]}]}]`},
		{"four deep through m2m and computed", "/tags?select=name,books(title,authors!books_author_fk(name,first_book(title,covers(color))))&id=eq.4",
			`[{"name":"rome","books":[{"title":"SPQR","authors":{"name":"Mary Beard","first_book":{"title":"SPQR","covers":{"color":"black"}}}}]}]`},
		{"same table twice with aliases", "/books?select=title,author:authors!author_id(name),translator:authors!translator_id(name)&id=eq.6",
			`[{"title":"Fiasco","author":{"name":"Stanisław Lem"},"translator":{"name":"Michael Kandel"}}]`},
		{"filters by alias at depth", "/authors?select=name,w:books!books_author_fk(title,t:tags(name))&id=eq.2&w.order=id&w.t.name=eq.robots",
			`[{"name":"Stanisław Lem","w":[{"title":"Solaris","t":[]},{"title":"The Cyberiad","t":[{"name":"robots"}]},{"title":"Fiasco","t":[{"name":"robots"}]}]}]`},
	})
}

func TestEmbedHints(t *testing.T) {
	t.Parallel()
	api := newEmbedAPI(t)
	runGets(t, api, []getCase{
		{"constraint", "/books?select=title,authors!books_translator_fk(name)&id=eq.3",
			`[{"title":"The Cyberiad","authors":{"name":"Michael Kandel"}}]`},
		{"column", "/books?select=title,authors!translator_id(name)&id=in.(1,3)&order=id",
			`[{"title":"The Dispossessed","authors":null},{"title":"The Cyberiad","authors":{"name":"Michael Kandel"}}]`},
		{"junction table", "/books?select=title,editors:authors!book_editors(name)&id=eq.3",
			`[{"title":"The Cyberiad","editors":[{"name":"Ursula K. Le Guin"}]}]`},
		{"column from the referenced side", "/authors?select=name,translated:books!translator_id(title)&id=eq.3&translated.order=id",
			`[{"name":"Michael Kandel","translated":[{"title":"The Cyberiad"},{"title":"Fiasco"}]}]`},
		{"hint and join type", "/books?select=title,authors!translator_id!inner(name)&order=id",
			`[{"title":"The Cyberiad","authors":{"name":"Michael Kandel"}},{"title":"Fiasco","authors":{"name":"Michael Kandel"}}]`},
		{"join type and hint", "/books?select=title,authors!inner!translator_id(name)&order=id",
			`[{"title":"The Cyberiad","authors":{"name":"Michael Kandel"}},{"title":"Fiasco","authors":{"name":"Michael Kandel"}}]`},
		// deprecated: the target names the foreign key or its column
		{"constraint as target", "/books?select=title,books_translator_fk(name)&id=eq.3",
			`[{"title":"The Cyberiad","books_translator_fk":{"name":"Michael Kandel"}}]`},
		{"column as target", "/books?select=title,translator_id(name)&id=eq.3",
			`[{"title":"The Cyberiad","translator_id":{"name":"Michael Kandel"}}]`},
		// views inherit books_author_fk too, but a constraint as target
		// only names relationships to tables: not ambiguous
		{"constraint as target, views left out", "/authors?select=name,books_author_fk(title)&id=eq.4",
			`[{"name":"Mary Beard","books_author_fk":[{"title":"SPQR"}]}]`},
	})
	runErrors(t, api, []errCase{
		{"ambiguous many-to-one", "/books?select=title,authors(name)", 300, "PGRST201", `{
			"code":"PGRST201",
			"message":"Could not embed because more than one relationship was found for 'books' and 'authors'",
			"details":[
				{"cardinality":"many-to-one","embedding":"books with authors","relationship":"books_author_fk using books(author_id) and authors(id)"},
				{"cardinality":"many-to-one","embedding":"books with authors","relationship":"books_translator_fk using books(translator_id) and authors(id)"},
				{"cardinality":"many-to-many","embedding":"books with authors","relationship":"book_editors using book_editors_book_id_fkey(book_id) and book_editors_author_id_fkey(author_id)"}],
			"hint":"Try changing 'authors' to one of the following: 'authors!books_author_fk', 'authors!books_translator_fk', 'authors!book_editors'. Find the desired relationship in the 'details' key."}`},
		{"ambiguous one-to-many", "/authors?select=name,books(title)", 300, "PGRST201", `{
			"code":"PGRST201",
			"message":"Could not embed because more than one relationship was found for 'authors' and 'books'",
			"details":[
				{"cardinality":"one-to-many","embedding":"authors with books","relationship":"books_author_fk using authors(id) and books(author_id)"},
				{"cardinality":"one-to-many","embedding":"authors with books","relationship":"books_translator_fk using authors(id) and books(translator_id)"},
				{"cardinality":"many-to-many","embedding":"authors with books","relationship":"book_editors using book_editors_author_id_fkey(author_id) and book_editors_book_id_fkey(book_id)"}],
			"hint":"Try changing 'books' to one of the following: 'books!books_author_fk', 'books!books_translator_fk', 'books!book_editors'. Find the desired relationship in the 'details' key."}`},
		// the referenced column fits both foreign keys, not the junction
		{"hint still ambiguous", "/books?select=title,authors!id(name)", 300, "PGRST201", `{
			"code":"PGRST201",
			"message":"Could not embed because more than one relationship was found for 'books' and 'authors'",
			"details":[
				{"cardinality":"many-to-one","embedding":"books with authors","relationship":"books_author_fk using books(author_id) and authors(id)"},
				{"cardinality":"many-to-one","embedding":"books with authors","relationship":"books_translator_fk using books(translator_id) and authors(id)"}],
			"hint":"Try changing 'authors' to one of the following: 'authors!books_author_fk', 'authors!books_translator_fk'. Find the desired relationship in the 'details' key."}`},
		{"unknown hint", "/books?select=title,authors!nope(name)", 400, "PGRST200", `{
			"code":"PGRST200",
			"message":"Could not find a relationship between 'books' and 'authors' in the schema cache",
			"details":"Searched for a foreign key relationship between 'books' and 'authors' using the hint 'nope' in the schema 'api', but no matches were found.",
			"hint":null}`},
		{"misspelled target", "/books?select=title,autors(name)", 400, "PGRST200", `{
			"code":"PGRST200",
			"message":"Could not find a relationship between 'books' and 'autors' in the schema cache",
			"details":"Searched for a foreign key relationship between 'books' and 'autors' in the schema 'api', but no matches were found.",
			"hint":"Perhaps you meant 'authors' instead of 'autors'."}`},
		// the suggestions are foreign table names, for computed
		// relationships too, as in PostgREST: no "bibliography" here
		{"misspelled computed relationship", "/authors?select=name,bibliographie(title)", 400, "PGRST200", `{
			"code":"PGRST200",
			"message":"Could not find a relationship between 'authors' and 'bibliographie' in the schema cache",
			"details":"Searched for a foreign key relationship between 'authors' and 'bibliographie' in the schema 'api', but no matches were found.",
			"hint":null}`},
		{"origin without relationships", "/author_names?select=name,books(title)", 400, "PGRST200", `{
			"code":"PGRST200",
			"message":"Could not find a relationship between 'author_names' and 'books' in the schema cache",
			"details":"Searched for a foreign key relationship between 'author_names' and 'books' in the schema 'api', but no matches were found.",
			"hint":"Perhaps you meant 'authors' instead of 'author_names'."}`},
	})
}

func TestEmbedJoinTypesAndNullFilters(t *testing.T) {
	t.Parallel()
	api := newEmbedAPI(t)
	runGets(t, api, []getCase{
		{"inner to-one", "/books?select=title,covers!inner(color)&order=id",
			`[{"title":"The Dispossessed","covers":{"color":"blue"}},{"title":"The Cyberiad","covers":{"color":"red"}},{"title":"SPQR","covers":{"color":"black"}}]`},
		{"inner to-many with filter", "/books?select=title,tags!inner(name)&tags.name=eq.robots&order=id",
			`[{"title":"The Cyberiad","tags":[{"name":"robots"}]},{"title":"Fiasco","tags":[{"name":"robots"}]}]`},
		{"left keeps the parent", "/books?select=title,tags!left(name)&tags.name=eq.robots&id=in.(1,3)&order=id",
			`[{"title":"The Dispossessed","tags":[]},{"title":"The Cyberiad","tags":[{"name":"robots"}]}]`},
		{"first join type wins", "/books?select=title,covers!inner!left(color)&order=id",
			`[{"title":"The Dispossessed","covers":{"color":"blue"}},{"title":"The Cyberiad","covers":{"color":"red"}},{"title":"SPQR","covers":{"color":"black"}}]`},
		{"nested inner", "/authors?select=name,books!books_author_fk!inner(title,tags!inner(name))&books.tags.name=eq.anarchism",
			`[{"name":"Ursula K. Le Guin","books":[{"title":"The Dispossessed","tags":[{"name":"anarchism"}]}]}]`},
		{"to-one is null", "/books?select=title,covers()&covers=is.null&order=id",
			`[{"title":"Solaris"},{"title":"A Wizard of Earthsea"},{"title":"Fiasco"}]`},
		{"to-one not is null", "/books?select=title,covers(color)&covers=not.is.null&order=id",
			`[{"title":"The Dispossessed","covers":{"color":"blue"}},{"title":"The Cyberiad","covers":{"color":"red"}},{"title":"SPQR","covers":{"color":"black"}}]`},
		{"to-many not is null with embedded filter", "/authors?select=name,books!books_author_fk(title)&books.year=gt.2000&books=not.is.null",
			`[{"name":"Mary Beard","books":[{"title":"SPQR"}]}]`},
		{"to-many is null", "/authors?select=name,books!books_author_fk()&books=is.null&order=id",
			`[{"name":"Michael Kandel"},{"name":"Nobody Yet"}]`},
		{"null filters by alias", "/authors?select=name,written:books!books_author_fk()&written=is.null&order=id",
			`[{"name":"Michael Kandel"},{"name":"Nobody Yet"}]`},
		{"null filters in or", "/books?select=title,covers(),tags()&or=(covers.not.is.null,tags.not.is.null)&order=id",
			`[{"title":"The Dispossessed"},{"title":"The Cyberiad"},{"title":"SPQR"},{"title":"Fiasco"}]`},
		{"null filter at depth", "/categories?select=name,books(title,covers())&books.covers=not.is.null&id=eq.2&books.order=id",
			`[{"name":"Science fiction","books":[{"title":"The Dispossessed"}]}]`},
		{"empty embed as filter", "/books?select=title,categories!inner()&categories.name=eq.History",
			`[{"title":"SPQR"}]`},
		{"only an empty embed", "/books?select=categories()&id=eq.1", `[{}]`},
		{"nested empty embeds", "/authors?select=name,books!books_author_fk!inner(tags!inner())&books.tags.name=eq.robots&order=id",
			`[{"name":"Stanisław Lem"}]`},
	})
	// The count follows the inner joins and null filters, not the range.
	counts := []struct{ name, path, rangeHdr string }{
		{"inner", "/books?select=title,tags!inner(name)&tags.name=eq.robots", "0-1/2"},
		{"inner nested", "/authors?select=name,books!books_author_fk!inner(tags!inner())&books.tags.name=eq.robots", "0-0/1"},
		{"is null", "/books?select=title,covers()&covers=is.null", "0-2/3"},
		{"not is null in or", "/books?select=title,covers(),tags()&or=(covers.not.is.null,tags.not.is.null)", "0-3/4"},
		{"left does not restrict", "/books?select=title,tags(name)&tags.name=eq.robots", "0-5/6"},
	}
	for _, tc := range counts {
		t.Run("count "+tc.name, func(t *testing.T) {
			t.Parallel()
			api.Get(t, tc.path, "Prefer", "count=exact").Status(t, 200).HeaderIs(t, "Content-Range", tc.rangeHdr)
		})
	}
	t.Run("count inner with limit", func(t *testing.T) {
		t.Parallel()
		api.Get(t, "/books?select=title,tags!inner(name)&tags.name=eq.robots&limit=1&order=id", "Prefer", "count=exact").
			Status(t, 206).HeaderIs(t, "Content-Range", "0-0/2").
			JSON(t, `[{"title":"The Cyberiad","tags":[{"name":"robots"}]}]`)
	})
}

func TestEmbedFiltersOnEmbedded(t *testing.T) {
	t.Parallel()
	api := newEmbedAPI(t)
	runGets(t, api, []getCase{
		{"filter", "/categories?select=name,books(title)&books.year=lt.1970&id=eq.2",
			`[{"name":"Science fiction","books":[{"title":"Solaris"}]}]`},
		{"order desc", "/categories?select=name,books(title)&id=eq.2&books.order=year.desc",
			`[{"name":"Science fiction","books":[{"title":"Fiasco"},{"title":"The Dispossessed"},{"title":"Solaris"}]}]`},
		{"limit and offset", "/categories?select=name,books(title)&id=eq.2&books.order=year&books.limit=2&books.offset=1",
			`[{"name":"Science fiction","books":[{"title":"The Dispossessed"},{"title":"Fiasco"}]}]`},
		{"or", "/categories?select=name,books(title)&id=eq.2&books.or=(year.lt.1965,price.gt.13)&books.order=id",
			`[{"name":"Science fiction","books":[{"title":"Solaris"},{"title":"Fiasco"}]}]`},
		{"and", "/categories?select=name,books(title)&id=eq.2&books.and=(year.gt.1965,price.lt.13)",
			`[{"name":"Science fiction","books":[{"title":"The Dispossessed"}]}]`},
		{"not or", "/categories?select=name,books(title)&id=eq.2&books.not.or=(year.lt.1965,price.gt.13)",
			`[{"name":"Science fiction","books":[{"title":"The Dispossessed"}]}]`},
		{"nested or", "/categories?select=name,books(title)&id=eq.2&books.or=(title.like.S*,and(year.gt.1980,price.gte.14))&books.order=id",
			`[{"name":"Science fiction","books":[{"title":"Solaris"},{"title":"Fiasco"}]}]`},
		{"or and filter together", "/categories?select=name,books(title)&id=eq.2&books.or=(year.lt.1965,price.gt.13)&books.title=like.F*",
			`[{"name":"Science fiction","books":[{"title":"Fiasco"}]}]`},
		{"filter two levels down", "/authors?select=name,books!books_author_fk(title,tags(name))&id=eq.2&books.tags.name=eq.robots&books.order=id",
			`[{"name":"Stanisław Lem","books":[{"title":"Solaris","tags":[]},{"title":"The Cyberiad","tags":[{"name":"robots"}]},{"title":"Fiasco","tags":[{"name":"robots"}]}]}]`},
		{"limit two levels down", "/categories?select=name,books(title,tags(name))&id=eq.3&books.tags.order=name.desc&books.tags.limit=1",
			`[{"name":"Space opera","books":[{"title":"The Cyberiad","tags":[{"name":"robots"}]}]}]`},
		// as in PostgREST, a limit that is not a number is no limit
		{"limit not a number", "/categories?select=name,books(title)&id=eq.2&books.limit=x&books.order=id",
			`[{"name":"Science fiction","books":[{"title":"The Dispossessed"},{"title":"Solaris"},{"title":"Fiasco"}]}]`},
		{"filter on computed", "/authors?select=name,bibliography(title)&bibliography.price=gt.12&id=eq.2&bibliography.order=id",
			`[{"name":"Stanisław Lem","bibliography":[{"title":"Solaris"},{"title":"Fiasco"}]}]`},
		{"embedded filter does not filter the parent", "/categories?select=id,books(title)&books.year=gt.2000&order=id",
			`[{"id":1,"books":[]},{"id":2,"books":[]},{"id":3,"books":[]},{"id":4,"books":[]},{"id":5,"books":[{"title":"SPQR"}]}]`},
	})
}

func TestEmbedOrderByRelated(t *testing.T) {
	t.Parallel()
	api := newEmbedAPI(t)
	runGets(t, api, []getCase{
		{"to-one desc", "/books?select=title,categories(name)&order=categories(name).desc,id",
			`[{"title":"The Cyberiad","categories":{"name":"Space opera"}},
			  {"title":"The Dispossessed","categories":{"name":"Science fiction"}},
			  {"title":"Solaris","categories":{"name":"Science fiction"}},
			  {"title":"Fiasco","categories":{"name":"Science fiction"}},
			  {"title":"SPQR","categories":{"name":"History"}},
			  {"title":"A Wizard of Earthsea","categories":{"name":"Fiction"}}]`},
		// the cluster has no locale: byte order, "Mary" < "Stanisław" < "Ursula"
		{"by alias", "/books?select=title,author:authors!author_id(name)&order=author(name),title",
			`[{"title":"SPQR","author":{"name":"Mary Beard"}},
			  {"title":"Fiasco","author":{"name":"Stanisław Lem"}},
			  {"title":"Solaris","author":{"name":"Stanisław Lem"}},
			  {"title":"The Cyberiad","author":{"name":"Stanisław Lem"}},
			  {"title":"A Wizard of Earthsea","author":{"name":"Ursula K. Le Guin"}},
			  {"title":"The Dispossessed","author":{"name":"Ursula K. Le Guin"}}]`},
		{"nulls first", "/books?select=title,covers(color)&order=covers(color).nullsfirst,id&limit=4",
			`[{"title":"Solaris","covers":null},{"title":"A Wizard of Earthsea","covers":null},{"title":"Fiasco","covers":null},{"title":"SPQR","covers":{"color":"black"}}]`},
		{"computed to-one", "/books?select=title,writer(name)&order=writer(name).desc,id&limit=3",
			`[{"title":"The Dispossessed","writer":{"name":"Ursula K. Le Guin"}},{"title":"A Wizard of Earthsea","writer":{"name":"Ursula K. Le Guin"}},{"title":"Solaris","writer":{"name":"Stanisław Lem"}}]`},
		{"inside an embed", "/authors?select=name,books!books_author_fk(title,categories(name))&id=eq.2&books.order=categories(name).desc,title",
			`[{"name":"Stanisław Lem","books":[{"title":"The Cyberiad","categories":{"name":"Space opera"}},{"title":"Fiasco","categories":{"name":"Science fiction"}},{"title":"Solaris","categories":{"name":"Science fiction"}}]}]`},
	})
	runErrors(t, api, []errCase{
		{"to-many", "/categories?select=name,books(title)&order=books(title)", 400, "PGRST118", `{
			"code":"PGRST118",
			"message":"A related order on 'books' is not possible",
			"details":"'categories' and 'books' do not form a many-to-one or one-to-one relationship",
			"hint":null}`},
		{"to-many by alias", "/categories?select=name,b:books(title)&order=b(title)", 400, "PGRST118", `{
			"code":"PGRST118",
			"message":"A related order on 'b' is not possible",
			"details":"'categories' and 'b' do not form a many-to-one or one-to-one relationship",
			"hint":null}`},
		{"computed to-many", "/authors?select=name,bibliography(title)&order=bibliography(title)", 400, "PGRST118", `{
			"code":"PGRST118",
			"message":"A related order on 'bibliography' is not possible",
			"details":"'authors' and 'bibliography' do not form a many-to-one or one-to-one relationship",
			"hint":null}`},
		{"not embedded", "/books?select=title&order=categories(name)", 400, "PGRST108", `{
			"code":"PGRST108",
			"message":"'categories' is not an embedded resource in this request",
			"details":null,
			"hint":"Verify that 'categories' is included in the 'select' query parameter."}`},
	})
}

func TestEmbedNotEmbedded(t *testing.T) {
	t.Parallel()
	api := newEmbedAPI(t)
	notEmbedded := func(name string) string {
		return `{"code":"PGRST108","message":"'` + name + `' is not an embedded resource in this request","details":null,` +
			`"hint":"Verify that '` + name + `' is included in the 'select' query parameter."}`
	}
	runErrors(t, api, []errCase{
		{"filter", "/books?select=title&categories.name=eq.x", 400, "PGRST108", notEmbedded("categories")},
		{"order", "/books?select=title&tags.order=name", 400, "PGRST108", notEmbedded("tags")},
		{"limit", "/books?select=title&tags.limit=1", 400, "PGRST108", notEmbedded("tags")},
		{"offset", "/books?select=title&tags.offset=1", 400, "PGRST108", notEmbedded("tags")},
		{"or", "/books?select=title&tags.or=(id.eq.1)", 400, "PGRST108", notEmbedded("tags")},
		{"second level", "/authors?select=name,books!books_author_fk(title)&books.tags.name=eq.x", 400, "PGRST108", notEmbedded("tags")},
		{"embedded elsewhere", "/authors?select=name,books!books_author_fk(title,tags(name))&tags.name=eq.x", 400, "PGRST108", notEmbedded("tags")},
	})
}

func TestEmbedLegacyTargetNames(t *testing.T) {
	t.Parallel()
	const warning = `299 PostgRESTv16.1-restgres "Embedded resource was referenced by relation name even though it has an alias. ` +
		`This is deprecated and will stop working in a future release. Update ` + "`categories` to `genre`" +
		` in query string filters, orders or limits."`
	const spqr = `[{"title":"SPQR","genre":{"name":"History"}}]`
	t.Run("allowed by default, with a warning", func(t *testing.T) {
		t.Parallel()
		api := newEmbedAPI(t)
		api.Get(t, "/books?select=title,genre:categories!inner(name)&categories.name=eq.History").Status(t, 200).
			JSON(t, spqr).HeaderIs(t, "Warning", warning)
		api.Get(t, "/books?select=title,genre:categories(name)&categories.limit=1&id=eq.4").Status(t, 200).
			JSON(t, spqr).HeaderIs(t, "Warning", warning)
		// two of them: one warning listing both
		api.Get(t, "/books?select=title,genre:categories!inner(name),a:authors!author_id!inner(name)&categories.name=eq.History&authors.name=like.M*").
			Status(t, 200).JSON(t, `[{"title":"SPQR","genre":{"name":"History"},"a":{"name":"Mary Beard"}}]`).
			HeaderIs(t, "Warning", strings.Replace(warning, "`categories` to `genre`", "`categories` to `genre`, `authors` to `a`", 1))
		// the alias itself is fine
		api.Get(t, "/books?select=title,genre:categories!inner(name)&genre.name=eq.History").Status(t, 200).
			JSON(t, spqr).HeaderIs(t, "Warning", "")
		// errors carry no warning
		api.Get(t, "/books?select=title,genre:categories(name)&categories.nope=eq.1").Error(t, 400, "42703").
			HeaderIs(t, "Warning", "")
	})
	t.Run("refused when disabled", func(t *testing.T) {
		t.Parallel()
		api := newEmbedAPI(t, apitest.Env("PGRST_URL_USE_LEGACY_TARGET_NAMES", "false"))
		legacy := `{"code":"PGRST108","message":"'categories' is not an embedded resource in this request",` +
			`"details":"Target names are not allowed in filters if they have an alias",` +
			`"hint":"Change 'categories' to 'genre' in filters, orders or limits."}`
		api.Get(t, "/books?select=title,genre:categories!inner(name)&categories.name=eq.History").Error(t, 400, "PGRST108").
			JSON(t, legacy).HeaderIs(t, "Warning", "")
		api.Get(t, "/books?select=title,genre:categories(name)&categories.order=name").Error(t, 400, "PGRST108").JSON(t, legacy)
		api.Get(t, "/books?select=title,genre:categories(name)&categories.limit=1").Error(t, 400, "PGRST108").JSON(t, legacy)
		api.Get(t, "/books?select=title,genre:categories!inner(name)&genre.name=eq.History").Status(t, 200).
			JSON(t, spqr).HeaderIs(t, "Warning", "")
		// related orders never used the legacy names
		api.Get(t, "/books?select=title,genre:categories(name)&order=categories(name)").Error(t, 400, "PGRST108")
	})
}

func TestEmbedGrammarErrors(t *testing.T) {
	t.Parallel()
	api := newEmbedAPI(t)
	runErrors(t, api, []errCase{
		{"empty hint", "/books?select=title,authors!(name)", 400, "PGRST100", `{
			"code":"PGRST100",
			"message":"\"failed to parse select parameter (title,authors!(name))\" (line 1, column 14)",
			"details":"unexpected '!' expecting letter, digit, \"-\", \"->>\", \"->\", \"::\", \".\", \")\", \",\" or end of input",
			"hint":null}`},
		{"unclosed embed", "/books?select=title,categories(name", 400, "PGRST100", `{
			"code":"PGRST100",
			"message":"\"failed to parse select parameter (title,categories(name)\" (line 1, column 22)",
			"details":"unexpected end of input expecting letter, digit, \"-\", \"->>\", \"->\", \"::\", \".\", \")\", \",\" or end of input",
			"hint":null}`},
		{"spread without parentheses", "/books?select=title,...categories", 400, "PGRST100", `{
			"code":"PGRST100",
			"message":"\"failed to parse select parameter (title,...categories)\" (line 1, column 20)",
			"details":"unexpected end of input expecting letter, digit, \"-\", \"!\" or \"(\"",
			"hint":null}`},
		{"unknown aggregate", "/books?select=price.summ()", 400, "PGRST100", `{
			"code":"PGRST100",
			"message":"\"failed to parse select parameter (price.summ())\" (line 1, column 10)",
			"details":"unexpected \"m\" expecting \"()\"",
			"hint":null}`},
		{"related order direction", "/books?select=title,categories(name)&order=categories(name).sideways", 400, "PGRST100", `{
			"code":"PGRST100",
			"message":"\"failed to parse order (categories(name).sideways)\" (line 1, column 11)",
			"details":"unexpected '(' expecting letter, digit, \"-\", \"->>\", \"->\", delimiter (.), \",\" or end of input",
			"hint":null}`},
		{"embedded or", "/categories?select=name,books(title)&books.or=(year.lt.1965", 400, "PGRST100", `{
			"code":"PGRST100",
			"message":"\"failed to parse logic tree ((year.lt.1965)\" (line 1, column 16)",
			"details":"unexpected end of input expecting \",\" or \")\"",
			"hint":null}`},
	})
}

func TestEmbedSpreads(t *testing.T) {
	t.Parallel()
	api := newEmbedAPI(t)
	runGets(t, api, []getCase{
		{"to-one", "/books?select=title,...categories(category:name)&id=eq.3",
			`[{"title":"The Cyberiad","category":"Space opera"}]`},
		{"to-one missing", "/books?select=title,...covers(color)&id=eq.2",
			`[{"title":"Solaris","color":null}]`},
		{"to-one nested", "/covers?select=color,...books(title,...authors!author_id(author:name))&id=eq.2",
			`[{"color":"red","title":"The Cyberiad","author":"Stanisław Lem"}]`},
		{"to-one with an embed inside", "/covers?select=color,...books(title,tags(name))&id=eq.2&books.tags.order=name",
			`[{"color":"red","title":"The Cyberiad","tags":[{"name":"classic"},{"name":"robots"}]}]`},
		{"to-one computed", "/books?select=title,...writer(writer:name)&id=eq.4",
			`[{"title":"SPQR","writer":"Mary Beard"}]`},
		{"to-one inner", "/books?select=title,...covers!inner(color)&order=id",
			`[{"title":"The Dispossessed","color":"blue"},{"title":"The Cyberiad","color":"red"},{"title":"SPQR","color":"black"}]`},
		{"to-one star", "/covers?select=color,...books(*)&id=eq.3",
			`[{"color":"black","id":4,"title":"SPQR","year":2015,"price":18.00,"category_id":5,"author_id":4,"translator_id":null}]`},
		// to-many spreads give arrays (PostgREST 13+)
		{"to-many", "/authors?select=name,...books!books_author_fk(titles:title,year)&id=in.(1,5)&order=id&books.order=year",
			`[{"name":"Ursula K. Le Guin","titles":["A Wizard of Earthsea","The Dispossessed"],"year":[1968,1974]},{"name":"Nobody Yet","titles":[],"year":[]}]`},
		// the range applies to the ordered rows (PostgREST orders only the
		// arrays, so its limit picks rows in no particular order)
		{"to-many order desc and limit", "/authors?select=name,...books!books_author_fk(title)&id=eq.2&books.order=year.desc&books.limit=2",
			`[{"name":"Stanisław Lem","title":["Fiasco","The Cyberiad"]}]`},
		{"to-many order and offset", "/authors?select=name,...books!books_author_fk(title,year)&id=eq.2&books.order=year&books.offset=1",
			`[{"name":"Stanisław Lem","title":["The Cyberiad","Fiasco"],"year":[1965,1986]}]`},
		{"to-many related order and limit", "/authors?select=name,...books!books_author_fk(title,categories(name))&id=eq.2&books.order=categories(name).desc,title&books.limit=2",
			`[{"name":"Stanisław Lem","title":["The Cyberiad","Fiasco"],"categories":[{"name":"Space opera"},{"name":"Science fiction"}]}]`},
		{"many-to-many", "/books?select=title,...tags(tag_names:name)&id=eq.3&tags.order=name.desc",
			`[{"title":"The Cyberiad","tag_names":["robots","classic"]}]`},
		{"to-many with an embed inside", "/authors?select=name,...books!books_author_fk(title,categories(name))&id=eq.4",
			`[{"name":"Mary Beard","title":["SPQR"],"categories":[{"name":"History"}]}]`},
		{"to-many ordered by a related column", "/authors?select=name,...books!books_author_fk(title,categories(name))&id=eq.2&books.order=categories(name).desc,title",
			`[{"name":"Stanisław Lem","title":["The Cyberiad","Fiasco","Solaris"],"categories":[{"name":"Space opera"},{"name":"Science fiction"},{"name":"Science fiction"}]}]`},
		{"to-many ordered by a column not selected", "/authors?select=name,...books!books_author_fk(title)&id=eq.1&books.order=price",
			`[{"name":"Ursula K. Le Guin","title":["A Wizard of Earthsea","The Dispossessed"]}]`},
		{"to-many with a to-one spread inside", "/authors?select=name,...books!books_author_fk(title,...categories(genre:name))&id=eq.2&books.order=id",
			`[{"name":"Stanisław Lem","title":["Solaris","The Cyberiad","Fiasco"],"genre":["Science fiction","Space opera","Science fiction"]}]`},
		{"to-many filtered", "/authors?select=name,...books!books_author_fk(title)&books.year=gt.1970&order=id&id=lt.3&books.order=id",
			`[{"name":"Ursula K. Le Guin","title":["The Dispossessed"]},{"name":"Stanisław Lem","title":["Fiasco"]}]`},
		{"to-many inner", "/authors?select=name,...books!books_author_fk!inner(title)&books.year=gt.2000",
			`[{"name":"Mary Beard","title":["SPQR"]}]`},
		{"to-many is null", "/authors?select=name,...books!books_author_fk(title)&books=is.null&order=id",
			`[{"name":"Michael Kandel","title":[]},{"name":"Nobody Yet","title":[]}]`},
		{"to-many computed", "/authors?select=name,...bibliography(title)&id=eq.4",
			`[{"name":"Mary Beard","title":["SPQR"]}]`},
	})
}

func TestEmbedMaxRows(t *testing.T) {
	t.Parallel()
	// db-max-rows limits every level; the rows kept are the first in order
	api := newEmbedAPI(t, apitest.Env("PGRST_DB_MAX_ROWS", "1"))
	runGets(t, api, []getCase{
		{"embed", "/authors?select=name,books!books_author_fk(title)&id=eq.2&books.order=year.desc",
			`[{"name":"Stanisław Lem","books":[{"title":"Fiasco"}]}]`},
		{"to-many spread", "/authors?select=name,...books!books_author_fk(title)&id=eq.2&books.order=year.desc",
			`[{"name":"Stanisław Lem","title":["Fiasco"]}]`},
	})
}

func TestEmbedAggregates(t *testing.T) {
	t.Parallel()
	api := newEmbedAPI(t, apitest.Env("PGRST_DB_AGGREGATES_ENABLED", "true"))
	runGets(t, api, []getCase{
		{"sum", "/books?select=price.sum()", `[{"sum":73.99}]`},
		{"count", "/books?select=count()", `[{"count":6}]`},
		{"count of a column skips nulls", "/books?select=count(),translated:translator_id.count()", `[{"count":6,"translated":2}]`},
		{"avg cast", "/books?select=price.avg()::int", `[{"avg":12}]`},
		{"sum cast", "/books?select=price.sum()::int", `[{"sum":74}]`},
		{"max min aliased", "/books?select=newest:year.max(),oldest:year.min()", `[{"newest":2015,"oldest":1961}]`},
		{"column cast before the aggregate", "/books?select=year::text.max()", `[{"max":"2015"}]`},
		{"with a filter", "/books?select=price.sum()&author_id=eq.1", `[{"sum":18.49}]`},
		{"implicit group by", "/books?select=category_id,count(),total:price.sum()&order=category_id",
			`[{"category_id":1,"count":1,"total":8.50},{"category_id":2,"count":3,"total":36.49},
			  {"category_id":3,"count":1,"total":11.00},{"category_id":5,"count":1,"total":18.00}]`},
		{"grouped by a to-one embed", "/books?select=category_id,total:price.sum(),categories(name)&order=category_id",
			`[{"category_id":1,"total":8.50,"categories":{"name":"Fiction"}},{"category_id":2,"total":36.49,"categories":{"name":"Science fiction"}},
			  {"category_id":3,"total":11.00,"categories":{"name":"Space opera"}},{"category_id":5,"total":18.00,"categories":{"name":"History"}}]`},
		{"grouped by a to-one spread", "/books?select=total:price.sum(),...categories(category:name)&category_id=eq.2",
			`[{"total":36.49,"category":"Science fiction"}]`},
		// inside a to-many embed the aggregate runs per parent row
		{"inside an embed", "/authors?select=name,books!books_author_fk(count(),price.sum())&order=id",
			`[{"name":"Ursula K. Le Guin","books":[{"count":2,"sum":18.49}]},{"name":"Stanisław Lem","books":[{"count":3,"sum":37.50}]},
			  {"name":"Michael Kandel","books":[{"count":0,"sum":null}]},{"name":"Mary Beard","books":[{"count":1,"sum":18.00}]},
			  {"name":"Nobody Yet","books":[{"count":0,"sum":null}]}]`},
		{"grouped inside an embed", "/authors?select=name,books!books_author_fk(category_id,count())&id=eq.2&books.order=category_id",
			`[{"name":"Stanisław Lem","books":[{"category_id":2,"count":2},{"category_id":3,"count":1}]}]`},
		{"inside a computed embed", "/authors?select=name,bibliography(n:count())&id=eq.1",
			`[{"name":"Ursula K. Le Guin","bibliography":[{"n":2}]}]`},
		// aggregates in to-one spreads are hoisted to the parent
		{"hoisted from a to-one spread", "/books?select=category_id,...authors!author_id(born.max(),born.min())&order=category_id",
			`[{"category_id":1,"max":1929,"min":1929},{"category_id":2,"max":1929,"min":1921},
			  {"category_id":3,"max":1921,"min":1921},{"category_id":5,"max":1955,"min":1955}]`},
		{"hoisted with alias and cast", "/books?select=category_id,...authors!author_id(oldest:born.min()::text)&category_id=eq.2",
			`[{"category_id":2,"oldest":"1921"}]`},
		// count() of a spread counts its rows, not the parent's
		{"hoisted count", "/books?select=author_id,...covers(covered:count())&order=author_id",
			`[{"author_id":1,"covered":1},{"author_id":2,"covered":1},{"author_id":4,"covered":1}]`},
		{"hoisted through two spreads", "/books?select=category_id,...authors!author_id(...first_book(year.min()))&order=category_id",
			`[{"category_id":1,"min":1968},{"category_id":2,"min":1961},{"category_id":3,"min":1961},{"category_id":5,"min":2015}]`},
		{"hoisted from the spread of the root", "/covers?select=...books(price.sum(),...categories(name))&id=eq.1",
			`[{"sum":9.99,"name":"Science fiction"}]`},
	})
	runErrors(t, api, []errCase{
		{"in a to-many spread", "/authors?select=name,...books!books_author_fk(price.sum())", 400, "PGRST127", `{
			"code":"PGRST127","message":"Feature not implemented",
			"details":"Aggregates are not implemented for one-to-many or many-to-many spreads.","hint":null}`},
		{"hoisted into a to-many spread", "/authors?select=name,...books!books_author_fk(title,...categories(count()))", 400, "PGRST127", `{
			"code":"PGRST127","message":"Feature not implemented",
			"details":"Aggregates are not implemented for one-to-many or many-to-many spreads.","hint":null}`},
	})
}

func TestEmbedAggregatesDisabled(t *testing.T) {
	t.Parallel()
	api := newEmbedAPI(t)
	const disabled = `{"code":"PGRST123","message":"Use of aggregate functions is not allowed","details":null,"hint":null}`
	runErrors(t, api, []errCase{
		{"root", "/books?select=price.sum()", 400, "PGRST123", disabled},
		{"count", "/books?select=count()", 400, "PGRST123", disabled},
		{"in an embed", "/authors?select=name,books!books_author_fk(count())", 400, "PGRST123", disabled},
		{"in a spread", "/books?select=title,...authors!author_id(born.max())", 400, "PGRST123", disabled},
	})
}

// TestEmbedOneStatement checks, on the wire, that a request with a
// two-level embed is one statement sent in one round trip, and that the
// body is the bytes PostgreSQL built, passed through untouched.
func TestEmbedOneStatement(t *testing.T) {
	t.Parallel()
	for _, prepared := range []bool{true, false} {
		t.Run("prepared="+strconv.FormatBool(prepared), func(t *testing.T) {
			t.Parallel()
			tap := newWireTap(t)
			api := newEmbedAPI(t, apitest.Through(tap.through),
				apitest.Env("PGRST_DB_PREPARED_STATEMENTS", strconv.FormatBool(prepared)))
			for i, name := range []string{"Stanisław Lem", "Mary Beard"} {
				tap.reset()
				res := api.Get(t, "/authors?select=name,books!books_author_fk(title,categories(name))&books.order=id&name=eq."+name).
					Status(t, 200)
				// the statement is prepared once: the same request shape,
				// with another value, reuses it
				wantParses := 1
				if prepared && i > 0 {
					wantParses = 0
				}
				checkOneStatement(t, tap.exchange(t), res.Body, name, wantParses)
			}
		})
	}
}

// TestWireTapSeesRoundTrips is the control of TestEmbedOneStatement: a
// write whose outcome decides between COMMIT and ROLLBACK needs a second
// round trip, and the tap counts it.
func TestWireTapSeesRoundTrips(t *testing.T) {
	t.Parallel()
	tap := newWireTap(t)
	api := newEmbedAPI(t, apitest.Through(tap.through))
	tap.reset()
	api.Post(t, "/actors", `{"id":9,"name":"Kyōko Kagawa"}`, "Accept", "application/vnd.pgrst.object+json",
		"Prefer", "return=representation", "Authorization", "Bearer "+jwtHS256(`{"role":"restgres_test_user"}`)).
		Status(t, 201).JSON(t, `{"id":9,"name":"Kyōko Kagawa"}`)
	ex := tap.exchange(t)
	if ex.conns != 1 || ex.turns != 2 || ex.syncs != 1 || len(ex.simple) != 1 || ex.simple[0] != "COMMIT" {
		t.Errorf("%d connections, %d turns, %d syncs, simple queries %q; want the pipeline, then COMMIT",
			ex.conns, ex.turns, ex.syncs, ex.simple)
	}
}

func checkOneStatement(t *testing.T, ex *wireExchange, body []byte, value string, wantParses int) {
	t.Helper()
	if ex.conns != 1 || ex.turns != 1 || ex.syncs != 1 || len(ex.simple) != 0 {
		t.Errorf("%d connections, %d turns, %d syncs, simple queries %q; want one pipeline",
			ex.conns, ex.turns, ex.syncs, ex.simple)
	}
	isRead := func(sql string) bool { return strings.HasPrefix(sql, "WITH pgrst_source AS") }
	read, err := ex.only(isRead)
	if err != nil {
		t.Fatalf("the read statement: %v (statements %q)", err, ex.results)
	}
	if n := strings.Count(read.sql, "JOIN LATERAL"); n != 2 {
		t.Errorf("%d lateral joins, want 2: %s", n, read.sql)
	}
	if strings.Contains(read.sql, value) {
		t.Errorf("the value %q is in the SQL text: %s", value, read.sql)
	}
	if len(read.rows) != 1 {
		t.Fatalf("the read returned %d rows, want 1", len(read.rows))
	}
	// body is the third column (sqlgen.ReadColumns)
	if got := read.rows[0][2]; !bytes.Equal(got, body) {
		t.Errorf("body differs from what PostgreSQL sent:\nwire %s\nhttp %s", got, body)
	}
	parses := 0
	for _, q := range ex.parsed {
		if isRead(q) {
			parses++
		}
	}
	if parses != wantParses {
		t.Errorf("the read was parsed %d times, want %d", parses, wantParses)
	}
}
