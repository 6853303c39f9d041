-- The demo database of ./scripts/up: a small library (authors, books,
-- reviews), a view, two functions, an anonymous role and the login role
-- restgres connects as, in PostgREST's usual layout. It is loaded by psql as
-- the superuser into a throwaway cluster, so it creates its roles without
-- asking whether they exist: do not load it into a cluster you care about.
\set ON_ERROR_STOP on
set client_min_messages = warning;

-- restgres logs in as "authenticator" (NOINHERIT: it has no privileges of its
-- own) and switches to "web_anon" for requests that carry no JWT. Requests
-- with a JWT switch to the JWT's role claim; the demo has no such roles.
create role authenticator login noinherit;
create role web_anon nologin;
grant web_anon to authenticator;

-- Only the schema in db-schemas is exposed; "private" shows that the rest is not.
create schema api;
comment on schema api is 'restgres demo: a small library';
create schema private;

create table api.authors (
  id   int generated always as identity primary key,
  name text not null unique,
  born int
);
comment on table api.authors is 'People who wrote books';

create table api.books (
  id        int generated always as identity primary key,
  title     text not null,
  author_id int not null references api.authors(id),
  published int,
  genres    text[] not null default '{}'
);
comment on table api.books is 'Books, each by one author';
comment on column api.books.published is 'Year of first publication';

create table api.reviews (
  id       int generated always as identity primary key,
  book_id  int not null references api.books(id) on delete cascade,
  stars    int not null check (stars between 1 and 5),
  body     text,
  reviewed timestamptz not null default now()
);
comment on table api.reviews is 'Readers'' reviews; anyone may add one';

create table private.audit (
  at   timestamptz not null default now(),
  what text not null
);

insert into api.authors (name, born) values
  ('Ursula K. Le Guin', 1929),
  ('Italo Calvino', 1923),
  ('Octavia E. Butler', 1947),
  ('Stanisław Lem', 1921);

insert into api.books (title, author_id, published, genres) values
  ('A Wizard of Earthsea', 1, 1968, '{fantasy}'),
  ('The Left Hand of Darkness', 1, 1969, '{science fiction}'),
  ('The Dispossessed', 1, 1974, '{science fiction,utopia}'),
  ('Invisible Cities', 2, 1972, '{fiction}'),
  ('If on a winter''s night a traveler', 2, 1979, '{fiction,metafiction}'),
  ('Kindred', 3, 1979, '{science fiction,historical}'),
  ('Parable of the Sower', 3, 1993, '{science fiction,dystopia}'),
  ('Solaris', 4, 1961, '{science fiction}'),
  ('The Cyberiad', 4, 1965, '{science fiction,humour}');

insert into api.reviews (book_id, stars, body, reviewed) values
  (1, 5, 'The best school story there is.', '2024-03-01 10:00+00'),
  (2, 5, 'Still strange, still brilliant.', '2024-03-02 11:30+00'),
  (4, 4, 'Fifty-five cities, none of them real.', '2024-04-10 09:15+00'),
  (6, 5, null, '2024-05-20 18:45+00'),
  (8, 3, 'The ocean is the main character.', '2024-06-01 08:00+00'),
  (8, 5, 'Better than both films.', '2024-06-02 20:10+00');

-- A view is exposed like a table. Its author_id is books.author_id, a
-- foreign key, so /book_ratings?select=title,authors(name) embeds through
-- it, and reviews can embed book_ratings through reviews.book_id.
create view api.book_ratings as
  select b.id as book_id, b.title, b.author_id, count(r.id) as reviews, round(avg(r.stars), 2) as average
    from api.books b left join api.reviews r on r.book_id = b.id
   group by b.id;
comment on view api.book_ratings is 'Number of reviews and average stars per book';

-- Functions are called at /rpc/<name>: GET with query parameters for a
-- stable one, POST with a JSON body.
create function api.books_by(author text) returns setof api.books
  language sql stable
  as $$ select b.* from api.books b join api.authors a on a.id = b.author_id
        where a.name ilike '%' || author || '%' order by b.published $$;
comment on function api.books_by(text) is 'Books of the authors whose name contains the text';

create function api.add_review(book int, stars int, body text default null) returns api.reviews
  language sql volatile security definer
  set search_path = api, private, pg_temp
  as $$
    insert into private.audit (what) values ('review of book ' || book);
    insert into api.reviews (book_id, stars, body) values (book, stars, body) returning *;
  $$;
comment on function api.add_review(int, int, text) is 'Adds a review (and notes it in a private audit table)';

-- What anonymous requests may do: read everything in api, add reviews,
-- call the functions. No updates or deletes.
grant usage on schema api to web_anon;
grant select on all tables in schema api to web_anon;
grant insert (book_id, stars, body) on api.reviews to web_anon;
revoke execute on all functions in schema api from public;
grant execute on all functions in schema api to web_anon;

analyze;
