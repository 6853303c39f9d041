package schema

// The catalog queries Load runs. They follow PostgREST's SchemaCache.hs
// query by query, so that restgres sees the same objects, keys and
// relationships PostgREST sees; where PostgREST leaves an order unspecified
// they add an ORDER BY so that a load is deterministic.
//
// They run in one read-only transaction after SET LOCAL search_path = '', so
// that every regtype/regproc/format_type output comes out schema-qualified
// (pg_catalog is always searched, so its types stay unqualified: "integer",
// "text").
//
// Each query returns a single json value: an array with one object per row.
// Nested lists (columns, parameters, key columns) are json arrays inside
// the row, which is simpler to decode than arrays of anonymous records.
//
// Where a query takes the exposed schemas, they are $1, as quoted
// identifiers (text[], cast to regnamespace[] so that a schema that does not
// exist is an error, as in PostgREST).

// baseTypesCTE resolves every type to the type it is ultimately over
// (domains over domains included): base_type is the type itself for a
// non-domain, base_namespace the namespace of base_type. It works on every
// supported PostgreSQL version; PostgreSQL 17's pg_basetype() would only be
// faster.
const baseTypesCTE = `
base_recurse as (
  select oid, typbasetype, typnamespace as base_namespace,
    coalesce(nullif(typbasetype, 0), oid) as base_type
  from pg_catalog.pg_type
  union
  select t.oid, b.typbasetype, b.typnamespace,
    coalesce(nullif(b.typbasetype, 0), b.oid)
  from base_recurse t
  join pg_catalog.pg_type b on t.typbasetype = b.oid
),
base_types as (
  select oid, base_namespace, base_type from base_recurse where typbasetype = 0
)`

// tablesSQL returns the relations of the exposed schemas with their columns
// and primary keys. PostgREST reads the relations of every schema and drops
// the non-exposed ones afterwards; reading only the exposed ones gives the
// same cache, since a non-exposed relation only matters as a junction of a
// many-to-many relationship, which removeInternal drops anyway.
//
// The data_type rules: a domain over a pg_catalog type shows that base type
// (without modifiers), any other domain shows itself; a pg_catalog type shows
// without modifiers, any other type with them. Identity columns get their
// sequence as default, stored generated columns get none.
const tablesSQL = `
with recursive ` + baseTypesCTE + `,
columns as (
  select
    c.oid as relid,
    a.attname as column_name,
    d.description,
    case
      when t.typbasetype <> 0 and ad.adbin is null then pg_catalog.pg_get_expr(t.typdefaultbin, 0)
      when a.attidentity = 'd' then pg_catalog.format('nextval(%L)', seq.objid::regclass)
      when a.attgenerated = 's' then null
      else pg_catalog.pg_get_expr(ad.adbin, ad.adrelid)::text
    end as column_default,
    not (a.attnotnull or t.typtype = 'd' and t.typnotnull) as is_nullable,
    case
      when t.typtype = 'd' then
        case
          when bt.base_namespace = 'pg_catalog'::regnamespace then pg_catalog.format_type(bt.base_type, null)
          else pg_catalog.format_type(a.atttypid, a.atttypmod)
        end
      else
        case
          when t.typnamespace = 'pg_catalog'::regnamespace then pg_catalog.format_type(a.atttypid, null)
          else pg_catalog.format_type(a.atttypid, a.atttypmod)
        end
    end::text as data_type,
    pg_catalog.format_type(a.atttypid, a.atttypmod)::text as nominal_data_type,
    information_schema._pg_char_max_length(
      information_schema._pg_truetypid(a.*, t.*),
      information_schema._pg_truetypmod(a.*, t.*)
    )::integer as character_maximum_length,
    bt.base_type,
    a.attnum::integer as position
  from pg_catalog.pg_attribute a
  join pg_catalog.pg_class c on a.attrelid = c.oid
  join pg_catalog.pg_type t on a.atttypid = t.oid
  left join pg_catalog.pg_description d
    on d.objoid = a.attrelid and d.objsubid = a.attnum and d.classoid = 'pg_catalog.pg_class'::regclass
  left join pg_catalog.pg_attrdef ad on a.attrelid = ad.adrelid and a.attnum = ad.adnum
  left join base_types bt on t.oid = bt.oid
  left join pg_catalog.pg_depend seq
    on seq.refobjid = a.attrelid and seq.refobjsubid = a.attnum and seq.deptype = 'i'
  where not pg_catalog.pg_is_other_temp_schema(c.relnamespace)
    and a.attnum > 0
    and not a.attisdropped
    and c.relkind in ('r', 'v', 'f', 'm', 'p')
    and c.relnamespace = any ($1::text[]::regnamespace[])
),
columns_agg as (
  select relid, json_agg(json_build_object(
      'name', column_name,
      'description', description,
      'nullable', is_nullable,
      'type', data_type,
      'nominal_type', nominal_data_type,
      'max_len', character_maximum_length,
      'default', column_default,
      'enum', coalesce(
        (select array_agg(enumlabel order by enumsortorder) from pg_catalog.pg_enum where enumtypid = base_type),
        '{}')
    ) order by position) as columns
  from columns
  group by relid
),
tbl_pk_cols as (
  select r.oid as relid, array_agg(a.attname order by a.attname) as pk_cols
  from pg_catalog.pg_class r
  join pg_catalog.pg_constraint c on r.oid = c.conrelid
  join pg_catalog.pg_attribute a on a.attrelid = r.oid and a.attnum = any (c.conkey)
  where c.contype = 'p'
    and r.relkind in ('r', 'p')
    and not pg_catalog.pg_is_other_temp_schema(r.relnamespace)
    and not a.attisdropped
  group by r.oid
)
select coalesce(json_agg(x order by x.schema, x.name), '[]')
from (
  select
    n.nspname as schema,
    c.relname as name,
    d.description,
    c.relkind in ('v', 'm') as is_view,
    -- pg_relation_is_updatable returns a bitmask of 1 << CmdType:
    -- 4 update, 8 insert, 16 delete
    c.relkind in ('r', 'p')
      or (c.relkind in ('v', 'f') and (pg_catalog.pg_relation_is_updatable(c.oid::regclass, true) & 8) = 8)
      as insertable,
    c.relkind in ('r', 'p')
      or (c.relkind in ('v', 'f') and (pg_catalog.pg_relation_is_updatable(c.oid::regclass, true) & 4) = 4)
      as updatable,
    c.relkind in ('r', 'p')
      or (c.relkind in ('v', 'f') and (pg_catalog.pg_relation_is_updatable(c.oid::regclass, true) & 16) = 16)
      as deletable,
    coalesce(tpks.pk_cols, '{}') as pk_cols,
    coalesce(cols.columns, '[]') as columns
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  left join pg_catalog.pg_description d
    on d.objoid = c.oid and d.objsubid = 0 and d.classoid = 'pg_catalog.pg_class'::regclass
  left join tbl_pk_cols tpks on c.oid = tpks.relid
  left join columns_agg cols on c.oid = cols.relid
  where c.relkind in ('v', 'r', 'm', 'f', 'p')
    and c.relnamespace = any ($1::text[]::regnamespace[])
    and not c.relispartition
) x`

// viewKeyDepsSQL returns, for every view and materialized view of the
// exposed schemas, the primary keys and foreign keys of base tables whose
// columns the view exposes in full: type "p" (a primary key of the base
// table), "f" (the referencing columns of a foreign key) or "f_ref" (the
// referenced columns of a foreign key). Each key column maps to every view
// column that exposes it.
//
// The view's query tree (pg_rewrite.ev_action, a pg_node_tree) is turned
// into json with plain text replacements and one regexp that keep only the
// target list's resno/resorigtbl/resorigcol, as PostgREST does; then the
// origins are followed through views over views (views of $2, the extra
// search path, are followed too) with a cycle guard.
//
// $2 is db-extra-search-path as quoted identifiers.
const viewKeyDepsSQL = `
with recursive
pks_fks as (
  -- primary key columns and foreign key (referencing) columns
  select contype::text as contype, conname, array_length(conkey, 1) as ncol,
    conrelid as resorigtbl, col as resorigcol, ord
  from pg_catalog.pg_constraint
  left join lateral unnest(conkey) with ordinality as _(col, ord) on true
  where contype in ('p', 'f')
  union
  -- foreign key referenced columns
  select concat(contype, '_ref') as contype, conname, array_length(confkey, 1) as ncol,
    confrelid, col, ord
  from pg_catalog.pg_constraint
  left join lateral unnest(confkey) with ordinality as _(col, ord) on true
  where contype = 'f'
),
views as (
  select c.oid as view_id, c.relnamespace as view_schema_id, n.nspname as view_schema,
    c.relname as view_name, r.ev_action as view_definition
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  join pg_catalog.pg_rewrite r on r.ev_class = c.oid
  where c.relkind in ('v', 'm')
    and c.relnamespace = any ($1::text[]::regnamespace[] || $2::text[]::regnamespace[])
),
transform_json as (
  -- Read from the innermost call outwards. Order matters.
  select view_id, view_schema_id, view_schema, view_name,
replace(replace(replace(replace(replace(replace(replace(
regexp_replace(
replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
  view_definition::text,
  -- <> is an empty node list; make it an empty list so json_array_elements
  -- works on a view without columns. First, so that the list protection
  -- below also sees lists that start with <>.
  '<>', '()'),
  -- commas, and escaped braces, can only come from identifiers; drop them
  -- so that the regexp below can rely on them
  ',', ''),
  E'\\{', ''),
  E'\\}', ''),
  -- turn the fields we need into json keys, protected from the regexp
  ' :targetList ', ',"targetList":'),
  ' :resno ', ',"resno":'),
  ' :resorigtbl ', ',"resorigtbl":'),
  ' :resorigcol ', ',"resorigcol":'),
  -- let the regexp also remove the node type, e.g. "{QUERY"
  '{', '{ :'),
  -- protect node lists from the greedy regexp (undone below)
  '((', '{(('),
  '({', '{({'),
  -- remove every other field; it stops at "," (a kept field), "}" (end of
  -- node) or "{" (a nested node, which gets an empty key)
  ' :[^}{,]+', ',"":', 'g'),
  -- drop the empty keys the regexp added before "," and "}"
  ',"":}', '}'),
  ',"":,', ','),
  -- undo the list protection
  '{(', '('),
  -- the first key of an object needs no comma
  '{,', '{'),
  -- node lists are (a b c), json arrays are [a,b,c]
  '(', '['),
  ')', ']'),
  ' ', ',')::json as view_definition
  from views
),
target_entries as (
  select view_id, view_schema_id, view_schema, view_name,
    json_array_elements(view_definition->0->'targetList') as entry
  from transform_json
),
results as (
  select view_id, view_schema_id, view_schema, view_name,
    (entry->>'resno')::int as view_column,
    (entry->>'resorigtbl')::oid as resorigtbl,
    (entry->>'resorigcol')::int as resorigcol
  from target_entries
),
-- follow view columns through views over views; path guards against cycles
recursion (view_id, view_schema_id, view_schema, view_name, view_column, resorigtbl, resorigcol, is_cycle, path) as (
  select r.*, false, array[resorigtbl]
  from results r
  where view_schema_id = any ($1::text[]::regnamespace[])
  union all
  select v.view_id, v.view_schema_id, v.view_schema, v.view_name, v.view_column,
    tab.resorigtbl, tab.resorigcol, tab.resorigtbl = any (path), path || tab.resorigtbl
  from recursion v
  join results tab on v.resorigtbl = tab.view_id and v.resorigcol = tab.view_column
  where not is_cycle
),
repeated_references as (
  select view_id, view_schema, view_name, resorigtbl, resorigcol,
    array_agg(attname order by view_column) as view_columns
  from recursion
  join pg_catalog.pg_attribute vcol on vcol.attrelid = view_id and vcol.attnum = view_column
  group by view_id, view_schema, view_name, resorigtbl, resorigcol
),
deps as (
  select
    sch.nspname as table_schema,
    tbl.relname as table_name,
    rep.view_schema,
    rep.view_name,
    pks_fks.conname as constraint_name,
    pks_fks.contype as constraint_type,
    json_agg(json_build_object('column', col.attname, 'view_columns', view_columns)
      order by pks_fks.ord) as columns
  from repeated_references rep
  join pks_fks using (resorigtbl, resorigcol)
  join pg_catalog.pg_class tbl on tbl.oid = rep.resorigtbl
  join pg_catalog.pg_attribute col on col.attrelid = tbl.oid and col.attnum = rep.resorigcol
  join pg_catalog.pg_namespace sch on sch.oid = tbl.relnamespace
  group by sch.nspname, tbl.relname, rep.view_schema, rep.view_name, pks_fks.conname, pks_fks.contype, pks_fks.ncol
  -- only keys whose every column the view exposes: no partial keys
  having pks_fks.ncol = count(*)
)
select coalesce(json_agg(deps order by table_schema, table_name, view_schema, view_name,
  constraint_name, constraint_type), '[]')
from deps`

// fkRelsSQL returns every foreign key (of any schema) as a many-to-one
// relationship, one-to-one when its columns are exactly a primary key or a
// unique constraint of the referencing table. Foreign keys a partition
// inherits from its parent are skipped.
const fkRelsSQL = `
with pks_uniques_cols as (
  select conrelid, array_agg(key order by key) as cols
  from pg_catalog.pg_constraint, lateral unnest(conkey) as _(key)
  where contype in ('p', 'u')
    and connamespace <> 'pg_catalog'::regnamespace
  group by oid, conrelid
)
select coalesce(json_agg(x), '[]')
from (
  select
    ns1.nspname as table_schema,
    tab.relname as table_name,
    ns2.nspname as foreign_table_schema,
    other.relname as foreign_table_name,
    traint.conrelid = traint.confrelid as is_self,
    traint.conname as constraint_name,
    column_info.cols_and_fcols,
    column_info.cols in (select cols from pks_uniques_cols where conrelid = traint.conrelid) as one_to_one,
    (
      select coalesce(json_agg(a.attname order by a.attname), '[]')
      from pg_catalog.pg_constraint pk
      join pg_catalog.pg_attribute a on a.attrelid = pk.conrelid and a.attnum = any(pk.conkey)
      where pk.conrelid = traint.conrelid and pk.contype = 'p'
    ) as table_pk_cols
  from pg_catalog.pg_constraint traint
  join lateral (
    select
      json_agg(json_build_array(cols.attname, refs.attname) order by ord) as cols_and_fcols,
      array_agg(cols.attnum order by cols.attnum) as cols
    from unnest(traint.conkey, traint.confkey) with ordinality as _(col, ref, ord)
    join pg_catalog.pg_attribute cols on cols.attrelid = traint.conrelid and cols.attnum = col
    join pg_catalog.pg_attribute refs on refs.attrelid = traint.confrelid and refs.attnum = ref
  ) as column_info on true
  join pg_catalog.pg_namespace ns1 on ns1.oid = traint.connamespace
  join pg_catalog.pg_class tab on tab.oid = traint.conrelid
  join pg_catalog.pg_class other on other.oid = traint.confrelid
  join pg_catalog.pg_namespace ns2 on ns2.oid = other.relnamespace
  where traint.contype = 'f'
    and traint.conparentid = 0
  order by traint.conrelid, traint.conname
) x`

// RoutinesSQL returns the functions (not procedures, aggregates or trigger
// functions) of the schemas in $1 (quoted identifiers, text[]) that can be
// called with named arguments: every input parameter is named, or the only
// unnamed one is of a type a whole request body can be passed as. The
// value is a json array, one object per function (with its "oid"), that
// [DecodeRoutines] reads. Type names come out as regtype prints them under
// the session's search_path: Load empties it, so they are qualified; the
// OpenAPI description runs it under the request's search_path, as
// PostgREST's accessibleFuncs does.
//
// Parameters are read by zipping proargnames, proargtypes and proargmodes
// and keeping the rows with a type (proargtypes holds the input parameters
// only), as PostgREST does. A function returns a composite when its type is
// one or when it has TABLE, INOUT or OUT parameters. Settings are the
// proconfig entries whose name matches one of the $2 patterns
// (db-hoisted-tx-settings, used as regular expressions like PostgREST does).
const RoutinesSQL = `
with recursive ` + baseTypesCTE + `,
arguments as (
  select
    oid,
    json_agg(json_build_object(
      'name', coalesce(name, ''),
      'type', type::regtype::text,
      -- bit and character ignore the length and truncate; pass arguments as
      -- the varying types so they arrive whole
      'type_max_length', case type
        when 'bit'::regtype then 'bit varying'
        when 'bit[]'::regtype then 'bit varying[]'
        when 'character'::regtype then 'character varying'
        when 'character[]'::regtype then 'character varying[]'
        else type::regtype::text
      end,
      'required', idx <= (pronargs - pronargdefaults),
      'variadic', coalesce(mode = 'v', false)
    ) order by idx) as args,
    case count(*) - count(name) -- unnamed arguments
      when 0 then true
      when 1 then (array_agg(type))[1] in ('bytea'::regtype, 'json'::regtype, 'jsonb'::regtype, 'text'::regtype, 'xml'::regtype)
      else false
    end as callable
  from pg_catalog.pg_proc,
    unnest(proargnames, proargtypes, proargmodes) with ordinality as _(name, type, mode, idx)
  where type is not null -- input arguments only
    -- only the functions the query returns: reading every function's
    -- arguments would cost most of the query's time
    and pronamespace = any ($1::text[]::regnamespace[])
  group by oid
)
select coalesce(json_agg(x order by x.schema, x.name, x.oid), '[]')
from (
  select
    p.oid,
    pn.nspname as schema,
    p.proname as name,
    d.description,
    coalesce(a.args, '[]') as params,
    tn.nspname as ret_schema,
    coalesce(comp.relname, t.typname) as ret_name,
    p.proretset as ret_setof,
    t.typtype = 'c' or coalesce(proargmodes::text[] && '{t,b,o}', false) as ret_composite,
    bt.oid <> bt.base_type as ret_composite_alias,
    p.provolatile as volatility,
    p.provariadic > 0 as has_variadic,
    (regexp_split_to_array((regexp_split_to_array(iso_config, '='))[2], ','))[1] as isolation_level,
    coalesce(func_settings.kvs, '[]') as settings
  from pg_catalog.pg_proc p
  left join arguments a on a.oid = p.oid
  join pg_catalog.pg_namespace pn on pn.oid = p.pronamespace
  join base_types bt on bt.oid = p.prorettype
  join pg_catalog.pg_type t on t.oid = bt.base_type
  join pg_catalog.pg_namespace tn on tn.oid = t.typnamespace
  left join pg_catalog.pg_class comp on comp.oid = t.typrelid
  left join pg_catalog.pg_description d on d.objoid = p.oid and d.classoid = 'pg_catalog.pg_proc'::regclass
  left join lateral unnest(proconfig) iso_config on iso_config like 'default_transaction_isolation%'
  left join lateral (
    select json_agg(json_build_object(
        'name', substr(setting, 1, strpos(setting, '=') - 1),
        'value', substr(setting, strpos(setting, '=') + 1)
      ) order by ord) as kvs
    from unnest(proconfig) with ordinality as _(setting, ord)
    where setting ~ any ($2::text[])
  ) func_settings on true
  where t.oid <> 'trigger'::regtype
    and coalesce(a.callable, true)
    and p.prokind = 'f'
    and p.pronamespace = any ($1::text[]::regnamespace[])
) x`

// computedRelsSQL returns every function of one argument that takes a row
// of a relation and returns a row (or a set of rows) of a relation: a
// computed relationship, to-one unless it returns a set of more than one
// estimated row (ROWS 1). Like PostgREST it looks at every schema; the
// relationships whose tables are not exposed are dropped later.
const computedRelsSQL = `
with all_relations as (
  select reltype from pg_catalog.pg_class where relkind in ('v', 'r', 'm', 'f', 'p')
)
select coalesce(json_agg(x order by x.schema, x.name, x.table_schema, x.table_name), '[]')
from (
  select
    pn.nspname as schema,
    p.proname as name,
    arg_schema.nspname as table_schema,
    arg_name.typname as table_name,
    ret_schema.nspname as foreign_table_schema,
    ret_name.typname as foreign_table_name,
    not p.proretset or p.prorows = 1 as single_row,
    (arg_schema.nspname, arg_name.typname) = (ret_schema.nspname, ret_name.typname) as is_self
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace pn on pn.oid = p.pronamespace
  join pg_catalog.pg_type arg_name on arg_name.oid = p.proargtypes[0]
  join pg_catalog.pg_namespace arg_schema on arg_schema.oid = arg_name.typnamespace
  join pg_catalog.pg_type ret_name on ret_name.oid = p.prorettype
  join pg_catalog.pg_namespace ret_schema on ret_schema.oid = ret_name.typnamespace
  where p.pronargs = 1
    and p.proargtypes[0] in (select reltype from all_relations)
    and p.prorettype in (select reltype from all_relations)
) x`

// representationsSQL returns the data representations: implicit casts, by
// a function the current role may execute, from a domain to json or text
// or from json or text to a domain.
const representationsSQL = `
select coalesce(json_agg(x order by x.source_type, x.target_type), '[]')
from (
  select
    c.castsource::regtype::text as source_type,
    c.casttarget::regtype::text as target_type,
    c.castfunc::regproc::text as function
  from pg_catalog.pg_cast c
  join pg_catalog.pg_type src_t on c.castsource = src_t.oid
  join pg_catalog.pg_type dst_t on c.casttarget = dst_t.oid
  where c.castcontext = 'i'
    and c.castmethod = 'f'
    and has_function_privilege(c.castfunc, 'execute')
    and ((src_t.typtype = 'd' and c.casttarget in ('json'::regtype, 'text'::regtype))
      or (dst_t.typtype = 'd' and c.castsource in ('json'::regtype, 'text'::regtype)))
) x`

// mediaHandlersSQL returns the custom media type handlers. A media type is
// a domain named like one ("text/tab-separated-values"; "*/*" produces
// application/octet-stream). A handler is either an aggregate of the
// exposed schemas over a relation's rows (or anyelement) returning such a
// domain, keyed by that relation; or a function of the exposed schemas
// returning such a domain, keyed by the function itself (its handler is
// named after the domain). Rows come sorted so that, when two handlers
// share a key, the choice is stable (PostgREST leaves it unspecified).
const mediaHandlersSQL = `
with
all_relations as (
  select reltype from pg_catalog.pg_class where relkind in ('v', 'r', 'm', 'f', 'p')
  union
  select oid from pg_catalog.pg_type where typname = 'anyelement'
),
media_types as (
  select
    t.oid,
    lower(t.typname) as typname,
    t.typnamespace,
    case t.typname when '*/*' then 'application/octet-stream' else t.typname end as resolved_media_type
  from pg_catalog.pg_type t
  join pg_catalog.pg_type b on t.typbasetype = b.oid
  where t.typbasetype <> 0
    and (t.typname ~* '^[A-Za-z0-9.-]+/[A-Za-z0-9.+-]+$' or t.typname = '*/*')
),
handlers as (
  select
    proc_schema.nspname as handler_schema,
    proc.proname as handler_name,
    arg_schema.nspname::text as target_schema,
    arg_name.typname::text as target_name,
    media_types.typname as media_type,
    media_types.resolved_media_type
  from media_types
  join pg_catalog.pg_proc proc on proc.prorettype = media_types.oid
  join pg_catalog.pg_namespace proc_schema on proc_schema.oid = proc.pronamespace
  join pg_catalog.pg_aggregate agg on agg.aggfnoid = proc.oid
  join pg_catalog.pg_type arg_name on arg_name.oid = proc.proargtypes[0]
  join pg_catalog.pg_namespace arg_schema on arg_schema.oid = arg_name.typnamespace
  where proc.pronamespace = any ($1::text[]::regnamespace[])
    and proc.pronargs = 1
    and arg_name.oid in (select reltype from all_relations)
  union
  select
    typ_sch.nspname as handler_schema,
    mtype.typname as handler_name,
    pro_sch.nspname as target_schema,
    proname as target_name,
    mtype.typname as media_type,
    mtype.resolved_media_type
  from pg_catalog.pg_proc proc
  join pg_catalog.pg_namespace pro_sch on pro_sch.oid = proc.pronamespace
  join media_types mtype on proc.prorettype = mtype.oid
  join pg_catalog.pg_namespace typ_sch on typ_sch.oid = mtype.typnamespace
  where proc.pronamespace = any ($1::text[]::regnamespace[])
    and not proretset
    and prokind = 'f'
)
select coalesce(json_agg(handlers order by target_schema, target_name, media_type,
  handler_schema, handler_name, resolved_media_type), '[]')
from handlers`
