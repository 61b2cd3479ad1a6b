-- A body that declares and calls a function nobody defines compiles, but its code cannot be
-- loaded: a clean ERROR at CREATE FUNCTION, not a crashed backend (the ORC linker used to
-- leave the relocation unresolved and the call jumped to address 0: crash recovery for the
-- whole server). The same check protects a server running an older plcpp.so than the runtime
-- headers a cached object was compiled against.
CREATE FUNCTION link_missing() RETURNS int LANGUAGE plcpp AS $$
  int plcpp_no_such_symbol(int);
  return plcpp_no_such_symbol(1);
$$;
-- a variable that nobody defines (a block-scope extern declaration)
CREATE FUNCTION link_missing_variable() RETURNS int LANGUAGE plcpp AS $$
  extern int plcpp_no_such_variable;
  return plcpp_no_such_variable;
$$;
SELECT 1 AS backend_alive;
-- what does exist links
CREATE FUNCTION link_ok() RETURNS int LANGUAGE plcpp AS $$
  return static_cast<int>(std::strlen("four"));
$$;
SELECT link_ok();
