do $$ begin
  if not exists (select from pg_roles where rolname = 'cmdtest_auth') then create role cmdtest_auth login noinherit; end if;
  if not exists (select from pg_roles where rolname = 'cmdtest_anon') then create role cmdtest_anon nologin; end if;
end $$;
grant cmdtest_anon to cmdtest_auth;
create schema api;
create table api.things (id int primary key, name text);
grant usage on schema api to cmdtest_anon;
grant select on api.things to cmdtest_anon;
