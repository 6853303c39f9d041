-- Fixture for the media type tests: domains named after media types,
-- functions returning them, and aggregates that build a body for a table,
-- a view, or any element. Loaded after the base and function fixtures.
set client_min_messages = warning;

create domain "text/plain" as text;
create domain "text/xml" as xml;
create domain "application/octet-stream" as bytea;
create domain "image/png" as bytea;
create domain "application/vnd.film+json" as json;
create domain "text/tab-separated-values" as text;
create domain "text/csv" as text;
create domain "application/vnd.rowcount" as text;
create domain "*/*" as bytea;

-- Functions returning a media type domain ------------------------------------

create function api.plain_note() returns "text/plain"
  language sql stable as $$ select 'just words, "not" JSON' $$;

-- the same text, but of no media type: only JSON can carry it
create function api.untyped_note() returns text
  language sql stable as $$ select 'just words' $$;

create function api.xml_doc() returns "text/xml"
  language sql stable as $$ select '<film id="1">Seven Samurai</film>'::xml $$;

create function api.raw_bytes() returns "application/octet-stream"
  language sql stable as $$ select '\x00ff0a7f'::bytea $$;

-- the eight-byte PNG signature
create function api.pixel(label text default 'dot') returns "image/png"
  language sql stable as $$ select '\x89504e470d0a1a0a'::bytea $$;

create function api.film_doc(fid int) returns "application/vnd.film+json"
  language sql stable as $$
    select json_build_object('film', f.title, 'year', f.year) from api.films f where f.id = fid
  $$;

-- Aggregates over a relation's rows -----------------------------------------

create function api.films_tsv_trans(state "text/tab-separated-values", next api.films)
  returns "text/tab-separated-values"
  language sql immutable as $$ select state || next.id || E'\t' || next.title || E'\n' $$;
create aggregate api.films_tsv(api.films) (
  initcond = '', stype = "text/tab-separated-values", sfunc = api.films_tsv_trans
);

create view api.film_years as select id, year from api.films;
grant select on api.film_years to restgres_test_anon;

create function api.film_years_tsv_trans(state "text/tab-separated-values", next api.film_years)
  returns "text/tab-separated-values"
  language sql immutable as $$ select state || next.id || E'\t' || coalesce(next.year::text, '') || E'\n' $$;
create aggregate api.film_years_tsv(api.film_years) (
  initcond = '', stype = "text/tab-separated-values", sfunc = api.film_years_tsv_trans
);

-- overrides the builtin CSV handler for directors only, with a final
-- function that adds a header line and a Content-Disposition header
create function api.directors_csv_trans(state "text/csv", next api.directors) returns "text/csv"
  language sql immutable as $$ select state || next.id || ';' || next.name || E'\n' $$;
create function api.directors_csv_final(data "text/csv") returns "text/csv"
  language plpgsql as $$
begin
  perform set_config('response.headers',
    '[{"Content-Disposition": "attachment; filename=\"directors.csv\""}]', true);
  return E'ID;NAME\n' || data;
end $$;
create aggregate api.directors_csv(api.directors) (
  initcond = '', stype = "text/csv", sfunc = api.directors_csv_trans, finalfunc = api.directors_csv_final
);

-- for any element: counts rows (or values)
create function api.rowcount_trans(state "application/vnd.rowcount", next anyelement)
  returns "application/vnd.rowcount"
  language sql immutable as $$ select (state::int + 1)::text $$;
create aggregate api.rowcount(anyelement) (
  initcond = '0', stype = "application/vnd.rowcount", sfunc = api.rowcount_trans
);

-- "*/*" answers every Accept for this view, as octet-stream unless the
-- final function sets a Content-Type
create view api."film_titles.txt" as select id, title from api.films;
grant select on api."film_titles.txt" to restgres_test_anon;

create function api.titles_txt_trans(state "*/*", next api."film_titles.txt") returns "*/*"
  language sql immutable as $$ select state || convert_to(next.title || E'\n', 'UTF8') $$;
create function api.titles_txt_final(data "*/*") returns "*/*"
  language plpgsql as $$
begin
  if current_setting('request.headers', true)::json->>'accept' = 'text/plain' then
    perform set_config('response.headers', '[{"Content-Type": "text/plain; charset=utf-8"}]', true);
  end if;
  return data;
end $$;
create aggregate api.titles_txt(api."film_titles.txt") (
  initcond = '', stype = "*/*", sfunc = api.titles_txt_trans, finalfunc = api.titles_txt_final
);

grant execute on all functions in schema api to restgres_test_anon, restgres_test_user;
