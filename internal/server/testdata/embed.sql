-- Objects for the embedding, spread and aggregate tests (embed_test.go),
-- loaded after the base fixture. A small library: every kind of relationship
-- PostgREST can embed, with few rows so that expected bodies stay readable.
--
--   categories.parent_id -> categories           self-reference (parent / children)
--   books.category_id    -> categories           many-to-one / one-to-many
--   books.author_id      -> authors              two foreign keys between the
--   books.translator_id  -> authors              same tables (ambiguity)
--   book_editors (book_id, author_id)            many-to-many books <-> authors, a
--                                                third candidate for books/authors
--   book_tags (book_id, tag_id)                  many-to-many books <-> tags
--   covers.book_id unique -> books               one-to-one, both directions
--   book_list (view), recent_books (view of      relationships inherited by views
--   book_list), category_counts (materialized)   and a materialized view
--   api2.loans (book_id, reader_id)              junction in a second schema
--   api2.authors, api2.books                     same names as in api, own rows
--   writer(), bibliography(), first_book()       computed relationships
--   books_by()                                   a function returning books
set client_min_messages = warning;

create table api.categories (
  id        int primary key,
  name      text not null,
  parent_id int references api.categories(id)
);

create table api.authors (
  id   int primary key,
  name text not null,
  born int
);

create table api.books (
  id            int primary key,
  title         text not null,
  year          int,
  price         numeric(6,2),
  category_id   int references api.categories(id),
  author_id     int not null constraint books_author_fk references api.authors(id),
  translator_id int constraint books_translator_fk references api.authors(id)
);

create table api.covers (
  id      int primary key,
  book_id int not null unique references api.books(id),
  color   text
);

create table api.tags (
  id   int primary key,
  name text not null
);

create table api.book_tags (
  book_id int references api.books(id),
  tag_id  int references api.tags(id),
  primary key (book_id, tag_id)
);

create table api.book_editors (
  book_id   int references api.books(id),
  author_id int references api.authors(id),
  primary key (book_id, author_id)
);

create table api.readers (
  id   int primary key,
  name text not null
);

insert into api.categories values
  (1, 'Fiction', null), (2, 'Science fiction', 1), (3, 'Space opera', 2),
  (4, 'Non-fiction', null), (5, 'History', 4);
insert into api.authors values
  (1, 'Ursula K. Le Guin', 1929), (2, 'Stanisław Lem', 1921), (3, 'Michael Kandel', 1941),
  (4, 'Mary Beard', 1955), (5, 'Nobody Yet', null);
insert into api.books values
  (1, 'The Dispossessed', 1974, 9.99, 2, 1, null),
  (2, 'Solaris', 1961, 12.50, 2, 2, null),
  (3, 'The Cyberiad', 1965, 11.00, 3, 2, 3),
  (4, 'SPQR', 2015, 18.00, 5, 4, null),
  (5, 'A Wizard of Earthsea', 1968, 8.50, 1, 1, null),
  (6, 'Fiasco', 1986, 14.00, 2, 2, 3);
insert into api.covers values (1, 1, 'blue'), (2, 3, 'red'), (3, 4, 'black');
insert into api.tags values (1, 'classic'), (2, 'robots'), (3, 'anarchism'), (4, 'rome'), (5, 'unused');
insert into api.book_tags values (1, 1), (1, 3), (3, 1), (3, 2), (4, 4), (6, 2);
insert into api.book_editors values (3, 1), (6, 4);
insert into api.readers values (1, 'Ana'), (2, 'Ben');

-- Views inherit the foreign keys of the columns they keep: book_list keeps
-- author_id (not translator_id) and id (so book_editors joins it to
-- authors too).
create view api.book_list as
  select id, title, year, author_id, category_id from api.books;
-- a view of a view: the relationship is found through the chain
create view api.recent_books as
  select id, title, author_id from api.book_list where year >= 1965;
create materialized view api.category_counts as
  select category_id, count(*)::int as n_books from api.books group by category_id;
-- no key column: no relationship at all
create view api.author_names as
  select name from api.authors;

-- Computed relationships: a function of one row type returning another.
-- Not SETOF: to-one.
create function api.writer(api.books) returns api.authors
  language sql stable as $$ select * from api.authors where id = $1.author_id $$;
-- SETOF: to-many.
create function api.bibliography(api.authors) returns setof api.books
  language sql stable as $$ select * from api.books where author_id = $1.id $$;
-- SETOF with ROWS 1: to-one.
create function api.first_book(api.authors) returns setof api.books rows 1
  language sql stable as $$ select * from api.books where author_id = $1.id order by year limit 1 $$;

-- A function returning books: its rows embed like the table's.
create function api.books_by(p_author int) returns setof api.books
  language sql stable as $$ select * from api.books where author_id = p_author $$;

-- A second schema, exposed only by tests that set db-schemas to "api,api2".
create schema api2;
grant usage on schema api2 to restgres_test_anon, restgres_test_user;

-- Same table names as in api, other rows: the embed must read api2's.
create table api2.authors (
  id   int primary key,
  name text not null
);
create table api2.books (
  id        int primary key,
  title     text not null,
  author_id int references api2.authors(id)
);
insert into api2.authors values (1, 'Octavia E. Butler');
insert into api2.books values (1, 'Kindred', 1), (2, 'Dawn', 1);

-- A junction in api2 between two api tables: usable from api only while
-- api2 is exposed too (PostgREST drops relationships through a junction of
-- a schema that is not exposed).
create table api2.loans (
  book_id   int references api.books(id),
  reader_id int references api.readers(id),
  primary key (book_id, reader_id)
);
insert into api2.loans values (1, 1), (3, 1), (4, 2);

grant select on all tables in schema api, api2 to restgres_test_anon;
grant execute on all functions in schema api to restgres_test_anon;
