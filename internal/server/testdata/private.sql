-- Objects for the auth and transaction-settings tests.
create table api.secrets (id int primary key, secret text);
insert into api.secrets values (1, 'the butler did it');
grant select on api.secrets to restgres_test_user;
revoke all on api.secrets from restgres_test_anon;

create function api.whoami() returns text
  language sql stable as $$ select current_setting('request.jwt.claims', true)::json->>'role' $$;

create function api.teapot() returns text language plpgsql stable as $$
begin
  perform set_config('response.status', '418', true);
  perform set_config('response.headers', '[{"X-Tea": "earl grey"}]', true);
  return 'short and stout';
end $$;

create function api.request_info() returns json language sql stable as $$
  select json_build_object(
    'method', current_setting('request.method', true),
    'path', current_setting('request.path', true),
    'custom', current_setting('request.headers', true)::json->>'x-custom')
$$;

create table api.log (id serial primary key, at timestamptz default now());
grant insert on api.log to restgres_test_anon;
grant usage on sequence api.log_id_seq to restgres_test_anon;
-- volatile, yet called with GET: the transaction is read only
create function api.write_something() returns int language sql volatile as $$
  insert into api.log default values returning id
$$;

grant execute on all functions in schema api to restgres_test_anon, restgres_test_user;
