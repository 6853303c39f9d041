-- Fixture for the OpenAPI tests: two exposed schemas, an anonymous role
-- with few grants and a signed-in role with more, so the document differs
-- between openapi-mode follow-privileges and ignore-privileges.

-- Roles are cluster-wide: create them only once per test cluster.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'oa_authenticator') THEN
    CREATE ROLE oa_authenticator LOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'oa_anon') THEN
    CREATE ROLE oa_anon NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'oa_user') THEN
    CREATE ROLE oa_user NOLOGIN;
  END IF;
END $$;
GRANT oa_anon, oa_user TO oa_authenticator;

CREATE SCHEMA api;
COMMENT ON SCHEMA api IS 'Shop API
sells things';
GRANT USAGE ON SCHEMA api TO oa_anon, oa_user;

CREATE TYPE api.mood AS ENUM ('happy', 'sad');

CREATE TABLE api.items (
  id int PRIMARY KEY,
  name text NOT NULL DEFAULT 'unnamed',
  mood api.mood
);
COMMENT ON TABLE api.items IS 'Items
for sale';
COMMENT ON COLUMN api.items.name IS 'What it is called';

CREATE TABLE api.orders (
  id bigint PRIMARY KEY,
  item_id int REFERENCES api.items(id)
);

GRANT SELECT ON api.items TO oa_anon;
GRANT SELECT, INSERT ON api.items, api.orders TO oa_user;

CREATE FUNCTION api.hello(name text) RETURNS text
  LANGUAGE sql STABLE AS $$ SELECT 'hello ' || name $$;
COMMENT ON FUNCTION api.hello(text) IS 'Says hello';

CREATE FUNCTION api.cheer(m api.mood) RETURNS api.mood
  LANGUAGE sql IMMUTABLE AS $$ SELECT 'happy'::api.mood $$;

CREATE FUNCTION api.place_order(item int) RETURNS bigint
  LANGUAGE sql VOLATILE AS $$ SELECT 1::bigint $$;

-- functions are executable by PUBLIC unless revoked
REVOKE EXECUTE ON FUNCTION api.hello(text), api.cheer(api.mood), api.place_order(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.hello(text), api.cheer(api.mood) TO oa_anon, oa_user;
GRANT EXECUTE ON FUNCTION api.place_order(int) TO oa_user;

-- a schema whose name must be quoted
CREATE SCHEMA "Other Schema";
GRANT USAGE ON SCHEMA "Other Schema" TO oa_anon, oa_user;
CREATE TABLE "Other Schema".notes (id int PRIMARY KEY, body text);
GRANT SELECT ON "Other Schema".notes TO oa_anon;
