-- Fixture for the GeoJSON tests; loaded after the base fixture. PostGIS
-- goes into public, which is on db-extra-search-path by default, so the
-- GeoJSON handler finds ST_AsGeoJSON.
set client_min_messages = warning;

create extension postgis;

create table api.places (
  id   int primary key,
  name text not null,
  geom geometry(Point, 4326) not null
);
insert into api.places values
  (1, 'Kyoto', 'SRID=4326;POINT(135.77 35.01)'),
  (2, 'Paris', 'SRID=4326;POINT(2.35 48.86)'),
  (3, 'Tokyo', 'SRID=4326;POINT(139.69 35.69)');
grant select on api.places to restgres_test_anon;

create function api.places_east_of(lon float) returns setof api.places
  language sql stable as $$ select * from api.places where public.st_x(geom) > lon order by id $$;
grant execute on function api.places_east_of(float) to restgres_test_anon;
