-- DO blocks run a body with no arguments.
DO LANGUAGE plcpp $$ notice("hi"); $$;
DO LANGUAGE plcpp $$
  std::vector<int> v{5, 3, 9, 1};
  std::sort(v.begin(), v.end());
  notice("sorted: ", v[0], v[1], v[2], v[3]);
$$;
-- errors: compile errors with position, runtime errors with context
DO LANGUAGE plcpp $$
  notice(undefined);
$$;
DO LANGUAGE plcpp $$ throw std::runtime_error("from a DO block"); $$;
DO LANGUAGE plcpp $$ error("custom", {.sqlstate = "P0002", .hint = "a hint"}); $$;
-- a DO block cannot return a value
DO LANGUAGE plcpp $$ return 1; $$;
-- an empty DO block is fine
DO LANGUAGE plcpp $$ $$;
-- many DO blocks in one session (each compiled, run and unloaded)
DO $$ BEGIN FOR i IN 1..20 LOOP EXECUTE format('DO LANGUAGE plcpp $b$ if (%s == 20) notice("last"); $b$', i); END LOOP; END $$;
-- a static's destructor that constructs another static: both destructors run when the code is
-- unloaded (the second registers while the first runs; none is left to point into unmapped code)
DO LANGUAGE plcpp $$
  struct B { ~B() { plcpp::notice("B destroyed"); } };
  struct A { ~A() { static B b; plcpp::notice("A destroyed"); } };
  static A a;
  (void)a;
$$;
