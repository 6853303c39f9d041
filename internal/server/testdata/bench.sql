-- Loaded after bench/schema.sql for the handler benchmarks: lets the
-- apitest login role switch to the benchmark's anonymous role.
do $$
begin
  if not exists (select from pg_roles where rolname = 'restgres_test_authenticator') then
    create role restgres_test_authenticator login noinherit;
  end if;
end $$;
grant web_anon to restgres_test_authenticator;
