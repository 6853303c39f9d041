-- Roles are cluster-wide and other fixtures may share the cluster: create
-- them only when missing. Every name starts with cfgtest_.
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['cfgtest_authenticator', 'cfgtest_plain'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN NOINHERIT', r);
    END IF;
  END LOOP;
  FOREACH r IN ARRAY ARRAY['cfgtest_web', 'cfgtest_iso', 'cfgtest_granted', 'cfgtest_bare', 'cfgtest_other'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    END IF;
  END LOOP;
END $$;

-- In-database configuration of the authenticator, for every database.
ALTER ROLE cfgtest_authenticator SET pgrst.db_schemas = 'role_schema';
ALTER ROLE cfgtest_authenticator SET pgrst.jwt_aud = 'role_aud';
ALTER ROLE cfgtest_authenticator SET pgrst.db_anon_role = 'role_anon';
ALTER ROLE cfgtest_authenticator SET pgrst.db_uri = 'postgres://not/allowed';
ALTER ROLE cfgtest_authenticator SET pgrst.unknown = 'ignored';
ALTER ROLE cfgtest_authenticator SET statement_timeout = '5s';

-- Roles the authenticator can switch to, and their settings.
GRANT cfgtest_web, cfgtest_iso, cfgtest_granted, cfgtest_bare TO cfgtest_authenticator;
ALTER ROLE cfgtest_web SET statement_timeout = '10s';
ALTER ROLE cfgtest_web SET work_mem = '2MB';
ALTER ROLE cfgtest_web SET default_transaction_isolation = 'serializable';
ALTER ROLE cfgtest_web SET log_statement = 'all';        -- superuser context: left out
ALTER ROLE cfgtest_web SET cfgtest.custom = 'x';         -- no such GUC: left out
ALTER ROLE cfgtest_iso SET default_transaction_isolation = 'repeatable read';
ALTER ROLE cfgtest_granted SET log_min_duration_statement = '250';
GRANT SET ON PARAMETER log_min_duration_statement TO cfgtest_authenticator;
ALTER ROLE cfgtest_other SET statement_timeout = '1s';  -- not granted: left out

-- Pre-config functions.
CREATE SCHEMA postgrest;
GRANT USAGE ON SCHEMA postgrest TO cfgtest_authenticator, cfgtest_plain;
CREATE FUNCTION postgrest.pre_config() RETURNS void LANGUAGE sql AS $$
  SELECT set_config('pgrst.db_schemas', 'pre_schema', true),
         set_config('pgrst.jwt_aud', 'pre_aud', true),
         set_config('pgrst.db_max_rows', '100', true),
         set_config('pgrst.server_host', 'not.allowed', true),
         -- not local: must not outlive the query either
         set_config('pgrst.openapi_mode', 'disabled', false);
$$;
CREATE SCHEMA "Weird Schema";
GRANT USAGE ON SCHEMA "Weird Schema" TO cfgtest_authenticator, cfgtest_plain;
CREATE FUNCTION "Weird Schema"."pre.config"() RETURNS void LANGUAGE sql AS $$
  SELECT set_config('pgrst.db_tx_end', 'rollback', true);
$$;
CREATE FUNCTION postgrest.bad_config() RETURNS void LANGUAGE sql AS $$
  SELECT set_config('pgrst.db_max_rows', 'lots', true);
$$;
