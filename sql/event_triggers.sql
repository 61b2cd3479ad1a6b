-- Event triggers: RETURNS event_trigger functions see event_trigger().event() and .tag(), as
-- PL/pgSQL's TG_EVENT and TG_TAG; the event's details come from SQL through spi, as in
-- PL/pgSQL (pg_event_trigger_ddl_commands(), pg_event_trigger_dropped_objects()).
CREATE FUNCTION evt_show() RETURNS event_trigger LANGUAGE plcpp AS $$
  notice("event ", event_trigger().event(), ", tag ", event_trigger().tag());
$$;
CREATE EVENT TRIGGER evt_start ON ddl_command_start EXECUTE FUNCTION evt_show();
CREATE TABLE evt_t (a int);
ALTER TABLE evt_t ADD COLUMN b text;
DROP EVENT TRIGGER evt_start;

-- ddl_command_end: pg_event_trigger_ddl_commands() through spi::query (PL/pgSQL's
-- FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP)
CREATE FUNCTION evt_ddl_end() RETURNS event_trigger LANGUAGE plcpp AS $$
  for (auto r : spi::query("select command_tag, object_type, object_identity "
                           "from pg_event_trigger_ddl_commands() order by 3"))
    notice(event_trigger().event(), ": ", r.get<std::string_view>(0), " ",
           r.get<std::string_view>(1), " ", r.get<std::string_view>("object_identity"));
$$;
CREATE EVENT TRIGGER evt_end ON ddl_command_end EXECUTE FUNCTION evt_ddl_end();
CREATE TABLE evt_u (id serial PRIMARY KEY);
CREATE INDEX evt_u_idx ON evt_u (id);
DROP EVENT TRIGGER evt_end;

-- sql_drop: pg_event_trigger_dropped_objects()
CREATE FUNCTION evt_dropped() RETURNS event_trigger LANGUAGE plcpp AS $$
  for (auto r : spi::query("select object_type, object_identity from "
                           "pg_event_trigger_dropped_objects() where original order by 2"))
    notice(event_trigger().tag(), " dropped ", r.get<std::string_view>(0), " ",
           r.get<std::string_view>(1));
$$;
CREATE EVENT TRIGGER evt_drop ON sql_drop EXECUTE FUNCTION evt_dropped();
DROP TABLE evt_u;
DROP EVENT TRIGGER evt_drop;

-- table_rewrite: the event and the tag of the rewriting command
CREATE EVENT TRIGGER evt_rewrite ON table_rewrite EXECUTE FUNCTION evt_show();
ALTER TABLE evt_t ALTER COLUMN a TYPE bigint;
DROP EVENT TRIGGER evt_rewrite;

-- an error in an event trigger aborts the command (PL/pgSQL: RAISE EXCEPTION in an event
-- trigger function), with the function in the context
CREATE FUNCTION evt_forbid() RETURNS event_trigger LANGUAGE plcpp AS $$
  if (event_trigger().tag() == "DROP TABLE")
    error("dropping tables is not allowed", {.sqlstate = "42501", .hint = "ask the DBA"});
$$;
CREATE EVENT TRIGGER evt_forbid ON ddl_command_start EXECUTE FUNCTION evt_forbid();
DROP TABLE evt_t;
SELECT count(*) FROM pg_class WHERE relname = 'evt_t';
DROP EVENT TRIGGER evt_forbid;
DROP TABLE evt_t;

-- bad input: event_trigger() outside an event trigger function (55000), as trigger() is;
-- also in an event trigger function called directly
CREATE FUNCTION evt_misuse() RETURNS text LANGUAGE plcpp AS $$ return event_trigger().tag(); $$;
SELECT evt_misuse();
SELECT evt_show();
-- an event trigger function has no arguments (PL/pgSQL: "event trigger functions cannot have
-- declared arguments")
CREATE FUNCTION evt_args(x int) RETURNS event_trigger LANGUAGE plcpp AS $$ $$;
-- trigger() in an event trigger function is refused (55000): it is not a row/statement trigger
CREATE FUNCTION evt_wrong_api() RETURNS event_trigger LANGUAGE plcpp AS $$
  notice(trigger().name());
$$;
CREATE EVENT TRIGGER evt_wrong ON ddl_command_start EXECUTE FUNCTION evt_wrong_api();
CREATE TABLE evt_never (a int);
DROP EVENT TRIGGER evt_wrong;
SELECT count(*) FROM pg_class WHERE relname = 'evt_never';
