-- notice/warning/info/log/debug stream any printable arguments.
CREATE FUNCTION chatty(n int) RETURNS int LANGUAGE plcpp STRICT AS $$
  notice("notice ", n, " ", 2.5, ' ', true);
  warning("warning ", std::string("s"), std::string_view("v"));
  info("info");
  log("to the server log only");
  debug("debug ", n);
  return n;
$$;
SELECT chatty(7);
SET client_min_messages = debug1;
SELECT chatty(8);
RESET client_min_messages;
SET client_min_messages = error;
SELECT chatty(9);   -- only INFO, which PostgreSQL always sends to the client
RESET client_min_messages;
-- std::log is not shadowed for numbers
CREATE FUNCTION ln2() RETURNS float8 LANGUAGE plcpp AS $$ return std::log(2.0); $$;
SELECT round(ln2()::numeric, 6);
