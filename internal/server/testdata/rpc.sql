-- Fixture for the function (RPC), media type and EXPLAIN tests; loaded
-- after the base fixture (films, directors, actors, roles, reviews).
set client_min_messages = warning;

-- Calls -------------------------------------------------------------------

create function api.greet(name text default 'guest') returns text
  language sql immutable as $$ select 'Hello ' || name || '!' $$;

create function api.answer() returns int
  language sql immutable as $$ select 42 $$;

-- one required parameter and two with defaults
create function api.label(id int, prefix text default '#', suffix text default '') returns text
  language sql immutable as $$ select prefix || id || suffix $$;

create function api.sum_arr(arr int[]) returns int
  language sql immutable as $$ select coalesce(sum(x), 0)::int from unnest(arr) x $$;

create function api.words(arr text[]) returns text[]
  language sql immutable as $$ select arr $$;

create function api.join_words(variadic words text[]) returns text
  language sql immutable as $$ select array_to_string(words, ' ') $$;

create function api.plus_one(variadic v int[]) returns int[]
  language sql immutable as $$ select array_agg(n + 1 order by o) from unnest(v) with ordinality as _(n, o) $$;

-- overloads told apart by their argument names
create function api.area(side int) returns int
  language sql immutable as $$ select side * side $$;
create function api.area(w int, h int) returns int
  language sql immutable as $$ select w * h $$;

-- overloads with the same argument names: PostgREST cannot choose
create function api.twin(x int) returns text
  language sql immutable as $$ select 'int' $$;
create function api.twin(x text) returns text
  language sql immutable as $$ select 'text' $$;

-- a single unnamed parameter takes the whole body
create function api.echo_json(json) returns json
  language sql immutable as $$ select $1 $$;
create function api.echo_jsonb(jsonb) returns jsonb
  language sql immutable as $$ select $1 $$;
create function api.echo_text(text) returns text
  language sql immutable as $$ select $1 $$;
create function api.echo_xml(xml) returns text
  language sql immutable as $$ select xpath('/greeting/text()', $1)::text $$;
create function api.byte_count(bytea) returns json
  language sql immutable as $$
    select json_build_object('length', length($1), 'first', get_byte($1, 0), 'last', get_byte($1, length($1) - 1))
  $$;

-- named overload first, unnamed json overload as the fallback
create function api.mixed(a int) returns text
  language sql immutable as $$ select 'named ' || a $$;
create function api.mixed(json) returns text
  language sql immutable as $$ select 'fallback ' || $1::text $$;

-- Writers and the transaction's access mode ----------------------------------

create table api.calls (
  id   serial primary key,
  note text
);
grant select, insert on api.calls to restgres_test_anon;
grant usage on sequence api.calls_id_seq to restgres_test_anon;

create function api.log_call(note text) returns int
  language sql volatile as $$ insert into api.calls (note) values (note) returning id $$;

create function api.log_calls(n int) returns setof text
  language sql volatile as $$ insert into api.calls (note) select 'bulk ' || g from generate_series(1, n) g returning note $$;

-- volatile, yet writes nothing: GET runs it (read only)
create function api.volatile_read() returns int
  language sql volatile as $$ select count(*)::int from api.calls $$;

-- stable, yet it calls a writer: the read-only transaction must stop it
create function api.stable_writer(note text) returns int
  language sql stable as $$ select api.log_call(note) $$;

create function api.read_only_mode() returns text
  language sql stable as $$ select current_setting('transaction_read_only') $$;
create function api.read_only_mode_volatile() returns text
  language sql volatile as $$ select current_setting('transaction_read_only') $$;

-- Results -------------------------------------------------------------------

create function api.film(fid int) returns api.films
  language sql stable as $$ select * from api.films where id = fid $$;

create function api.film_ids() returns setof int
  language sql stable as $$ select id from api.films order by id $$;

create function api.film_titles(min_year int default 0) returns table(id int, title text)
  language sql stable as $$ select f.id, f.title from api.films f where f.year >= min_year order by f.id $$;

create function api.all_films() returns setof api.films
  language sql stable as $$ select * from api.films $$;

create function api.do_nothing() returns void
  language sql volatile as $$ select $$;

create function api.no_film() returns api.films
  language sql stable as $$ select * from api.films where false $$;

-- Transaction settings ------------------------------------------------------

-- statement_timeout set on a function only takes effect for the whole
-- statement when hoisted into the transaction
create function api.sleepy(secs float) returns text
  language sql volatile
  set statement_timeout = '100ms'
  as $$ select pg_sleep(secs); select 'awake' $$;

-- the pre-request function below reports these settings in headers
create function api.with_settings() returns text
  language sql stable
  set statement_timeout = '7s'
  set work_mem = '2MB'
  as $$ select 'ok' $$;

create function api.expose_settings() returns void language plpgsql as $$
begin
  perform set_config('response.headers', json_build_array(
    json_build_object('X-Statement-Timeout', current_setting('statement_timeout')),
    json_build_object('X-Work-Mem', current_setting('work_mem')))::text, true);
end $$;

create function api.serializable_isolation() returns text
  language sql stable
  set default_transaction_isolation = 'serializable'
  as $$ select current_setting('transaction_isolation') $$;

create function api.default_isolation() returns text
  language sql stable as $$ select current_setting('transaction_isolation') $$;

-- response.status and response.headers set by SQL
create function api.created_thing() returns json language plpgsql volatile as $$
begin
  perform set_config('response.status', '201', true);
  perform set_config('response.headers',
    '[{"Location": "/things/7"}, {"Set-Cookie": "a=1"}, {"Set-Cookie": "b=2"}, {"Content-Type": "application/x-thing"}]', true);
  return '{"id": 7}';
end $$;

create function api.bad_status() returns int language plpgsql stable as $$
begin
  perform set_config('response.status', 'teapot', true);
  return 1;
end $$;

create function api.bad_headers() returns int language plpgsql stable as $$
begin
  perform set_config('response.headers', '{"X-Not": "an array"}', true);
  return 1;
end $$;

create function api.bad_header_value() returns int language plpgsql stable as $$
begin
  perform set_config('response.headers', '[{"X-Number": 1}]', true);
  return 1;
end $$;

-- errors raised by functions
create function api.pay_up() returns void language plpgsql as $$
begin
  raise sqlstate 'PT402' using message = 'Payment Required', detail = 'Quota exceeded', hint = 'Upgrade';
end $$;

create function api.raise_pgrst() returns void language plpgsql as $$
begin
  raise sqlstate 'PGRST' using
    message = '{"code":"123","message":"Payment Required","details":"Quota exceeded","hint":"Upgrade your plan"}',
    detail = '{"status":402,"status_text":"Pay Me","headers":{"X-Powered-By":"Nerd Rage"}}';
end $$;

create function api.page_expired() returns void language plpgsql as $$
begin
  raise sqlstate 'PT419' using message = 'Page Expired';
end $$;

-- a reason phrase that tries to end the status line
create function api.raise_pgrst_crlf() returns void language plpgsql as $$
begin
  raise sqlstate 'PGRST' using
    message = '{"code":"c","message":"m"}',
    detail = '{"status":418,"status_text":"Short\r\nX-Injected: yes","headers":{}}';
end $$;

create function api.raise_pgrst_bad_message() returns void language plpgsql as $$
begin
  raise sqlstate 'PGRST' using message = 'not json', detail = '{"status":402,"headers":{}}';
end $$;

create function api.raise_pgrst_bad_detail() returns void language plpgsql as $$
begin
  raise sqlstate 'PGRST' using message = '{"code":"123","message":"m"}', detail = 'not json';
end $$;

create function api.raise_pgrst_no_detail() returns void language plpgsql as $$
begin
  raise sqlstate 'PGRST' using message = '{"code":"123","message":"m"}';
end $$;

create function api.raise_plain() returns void language plpgsql as $$
begin
  raise exception 'plain failure';
end $$;

-- The root endpoint (db-root-spec) ----------------------------------------

create function api.root() returns json
  language sql stable as $$ select json_build_object('openapi', '3.0.0', 'paths', json_build_object()) $$;

grant execute on all functions in schema api to restgres_test_anon, restgres_test_user;

-- Plans -------------------------------------------------------------------

-- PL/pgSQL is never inlined: a plan shows a Function Scan on it
create function api.films_plpgsql() returns setof api.films
  language plpgsql stable as $$ begin return query select * from api.films; end $$;
grant execute on function api.films_plpgsql() to restgres_test_anon, restgres_test_user;
