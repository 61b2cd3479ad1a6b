-- Multidimensional arrays (issue 19, item 6): arguments of any dimensions as plcpp::array,
-- results from nested std::vector, as PL/pgSQL's arrays and PL/Python's nested lists.
-- shape(): what the body sees of an array argument (PL/pgSQL: array_ndims, array_dims,
-- array_lower, FOREACH x IN ARRAY a)
CREATE FUNCTION shape(a int[]) RETURNS text LANGUAGE plcpp AS $$
  if (!a) return std::nullopt;
  std::string out = std::to_string(a->ndim()) + " dims [";
  for (int d : a->dims()) out += " " + std::to_string(d);
  out += " ] lower [";
  for (int l : a->lower_bounds()) out += " " + std::to_string(l);
  out += " ] flat:";
  for (const auto &e : *a) out += e ? " " + std::to_string(*e) : std::string(" NULL");
  return out;
$$;
SELECT a, shape(a), array_ndims(a), array_dims(a)
FROM (VALUES ('{{1,2,3},{4,5,6}}'::int[]), ('{{{1,2}},{{3,NULL}}}'), ('[0:1][5:6]={{1,2},{3,4}}'),
             ('{7,8}'), ('{}'), ('{{1}}')) v(a);
-- element access by 0-based indexes, one per dimension (PL/pgSQL's a[i][j] is
-- a(i - lower_bounds()[0], j - lower_bounds()[1]))
CREATE FUNCTION cell(a int[], i int, j int) RETURNS int LANGUAGE plcpp STRICT AS $$
  return a(i, j);
$$;
SELECT cell('{{1,2,3},{4,5,6}}', 0, 0), cell('{{1,2,3},{4,5,6}}', 1, 2),
       cell('{{1,2,3},{4,NULL,6}}', 1, 1) IS NULL AS null_cell,
       cell('[0:1][5:6]={{1,2},{3,4}}', 1, 0) AS same_as_sql, ('[0:1][5:6]={{1,2},{3,4}}'::int[])[1][5];
-- text elements, and returning the argument keeps dimensions and bounds (PL/pgSQL's RETURN a)
CREATE FUNCTION same_text(a text[]) RETURNS text[] LANGUAGE plcpp STRICT AS $$ return a; $$;
SELECT same_text('[2:3][1:2]={{a,b},{NULL,"d e"}}'), same_text('{{{x}}}'), same_text('{}');

-- returning nested vectors: the dimensions are the levels' sizes (PL/Python:
-- return [[1, 2], [3, 4]]; SQL: ARRAY[ARRAY[1,2], ARRAY[3,4]])
CREATE FUNCTION grid(r int, c int) RETURNS int[] LANGUAGE plcpp STRICT AS $$
  std::vector<std::vector<int>> g(static_cast<size_t>(r), std::vector<int>(static_cast<size_t>(c)));
  for (int i = 0; i < r; ++i)
    for (int j = 0; j < c; ++j) g[i][j] = i * 10 + j;
  return g;
$$;
SELECT grid(2, 3), array_dims(grid(2, 3)), grid(1, 1), grid(0, 5), grid(3, 0);
CREATE FUNCTION nested_kinds() RETURNS TABLE(a int8[], b text[], c float8[]) LANGUAGE plcpp AS $$
  using opt = std::optional<int64_t>;
  yield(std::vector<std::vector<opt>>{{1, std::nullopt}, {3, 4}},
        std::vector<std::vector<std::vector<std::string>>>{{{"a", "b"}}, {{"c", "d"}}},
        plcpp::array<double>({2, 2}, {1.5, 2.5, 3.5, 4.5}, {0, 0}));
$$;
SELECT * FROM nested_kinds();
-- nested vectors as query parameters and read back with row.get (both directions)
DO LANGUAGE plcpp $$
  std::vector<std::vector<int32_t>> m{{1, 2}, {3, 4}};
  auto r = spi::query("select $1::text, array_dims($1), $1[2][1], $1 as same", m);
  auto back = r[0].get<std::vector<std::vector<int32_t>>>("same");
  auto md = r[0].get<plcpp::array<int32_t>>("same");
  notice(r[0].get<std::string>(0), " ", r[0].get<std::string>(1), " ", r[0].get<int32_t>(2),
         " back[1][0]=", back[1][0], " md(1, 1)=", *md(1, 1));
$$;
-- a multidimensional argument built into a new result (PL/pgSQL: transpose by subscripts)
CREATE FUNCTION transpose(a float8[]) RETURNS float8[] LANGUAGE plcpp STRICT AS $$
  if (a.ndim() != 2) error("need a matrix", {.sqlstate = "2202E"});
  auto d = a.dims();
  std::vector<std::vector<std::optional<double>>> t(d[1], std::vector<std::optional<double>>(d[0]));
  for (int i = 0; i < d[0]; ++i)
    for (int j = 0; j < d[1]; ++j) t[j][i] = a(i, j);
  return t;
$$;
SELECT transpose('{{1,2,3},{4,5,NULL}}');

-- bad input: a ragged nested vector raises 2202E with PostgreSQL's message, as
-- SELECT ARRAY[ARRAY[1,2], ARRAY[3]] does
CREATE FUNCTION ragged(which int) RETURNS int[] LANGUAGE plcpp STRICT AS $$
  if (which == 1) return std::vector<std::vector<int>>{{1, 2}, {3}};
  if (which == 2) return std::vector<std::vector<int>>{{}, {1}};
  if (which == 3) return std::vector<std::vector<std::vector<int>>>{{{1}, {2}}, {{3}, {4, 5}}};
  if (which == 4) return plcpp::array<int32_t>({2, 2}, {1, 2, 3});   // dims do not match
  auto a = plcpp::array<int32_t>({2, 2}, {1, 2, 3, 4});
  a.push_back(5);                                                    // no longer 2x2
  return a;
$$;
SELECT ARRAY[ARRAY[1,2], ARRAY[3]];
SELECT ragged(1);
SELECT ragged(2);
SELECT ragged(3);
SELECT ragged(4);
SELECT ragged(5);
-- empty levels that agree are an empty array, as ARRAY[ARRAY[]::int[], ARRAY[]::int[]]
CREATE FUNCTION empties() RETURNS int[] LANGUAGE plcpp AS $$
  return std::vector<std::vector<int>>{{}, {}};
$$;
SELECT empties(), ARRAY[ARRAY[]::int[], ARRAY[]::int[]];
-- bad input: indexes out of range or of the wrong count (2202E), never a stray read
SELECT cell('{{1,2},{3,4}}', 2, 0);
SELECT cell('{{1,2},{3,4}}', -1, 0);
CREATE FUNCTION wrong_count(a int[]) RETURNS int LANGUAGE plcpp STRICT AS $$ return a(0); $$;
SELECT wrong_count('{{1,2},{3,4}}');
-- a 3-D array read as vectors nested twice; a 2-D one read as one flat std::vector
DO LANGUAGE plcpp $$
  auto r = spi::query("select '{{{1}}}'::int[]");
  r[0].get<std::vector<std::vector<int32_t>>>(0);
$$;
DO LANGUAGE plcpp $$
  auto r = spi::query("select '{{1},{2}}'::int[]");
  r[0].get<std::vector<int32_t>>(0);
$$;
-- a NULL element read into a nested vector of plain ints (22004)
DO LANGUAGE plcpp $$
  auto r = spi::query("select '{{1},{NULL}}'::int[]");
  r[0].get<std::vector<std::vector<int32_t>>>(0);
$$;
-- more than 6 dimensions does not compile (PostgreSQL's MAXDIM)
CREATE FUNCTION seven() RETURNS int[] LANGUAGE plcpp AS $$
  return std::vector<std::vector<std::vector<std::vector<std::vector<std::vector<std::vector<int>>>>>>>{};
$$;
