-- issue 18 item 8: range-for over spi::cursor reads 1000 rows ahead; a fetch(n) after the loop
-- (or a second loop) must go on with the next row, never skip the read-ahead ones.
CREATE FUNCTION cursor_mix(total int, first_loop int, fetch_n int) RETURNS text
LANGUAGE plcpp AS $$
  auto c = spi::cursor("select g from generate_series(1, $1) g", *total);
  std::vector<int32_t> seen;
  for (auto r : c) {
    seen.push_back(r.get<int32_t>(0));
    if (static_cast<int>(seen.size()) == *first_loop) break;
  }
  std::string how = "loop " + std::to_string(seen.size());
  // then fetch(n) until the end
  while (true) {
    auto rows = c.fetch(static_cast<std::size_t>(*fetch_n));
    if (rows.empty()) break;
    how += " fetch " + std::to_string(rows.size());
    for (auto r : rows) seen.push_back(r.get<int32_t>(0));
  }
  // every row exactly once, in order
  for (std::size_t i = 0; i < seen.size(); ++i)
    if (seen[i] != static_cast<int32_t>(i + 1))
      return "row " + std::to_string(i) + " is " + std::to_string(seen[i]) + " after " + how;
  return std::to_string(seen.size()) + " rows in order: " + how;
$$;

SELECT cursor_mix(10, 3, 4);      -- loop reads all 10 ahead, fetch gets the 7 it did not reach
SELECT cursor_mix(2500, 5, 1000); -- read-ahead rows first, then the portal, joined in one result
SELECT cursor_mix(2500, 1500, 700);
SELECT cursor_mix(1000, 1000, 10); -- the loop stopped at the last row of a full batch
SELECT cursor_mix(5, 0, 2);        -- no loop rows at all (first_loop never reached): loop reads all

-- fetch, then loop, then fetch, then loop again: each continues where the other stopped
CREATE FUNCTION cursor_alternate(total int) RETURNS text LANGUAGE plcpp STRICT AS $$
  auto c = spi::cursor("select g from generate_series(1, $1) g", total);
  std::vector<int32_t> seen;
  int round = 0;
  while (true) {
    std::size_t before = seen.size();
    if (round++ % 2 == 0) {
      for (auto r : c.fetch(3)) seen.push_back(r.get<int32_t>(0));
    } else {
      int n = 0;
      for (auto r : c) {
        seen.push_back(r.get<int32_t>(0));
        if (++n == 2) break;
      }
    }
    if (seen.size() == before) break;
  }
  for (std::size_t i = 0; i < seen.size(); ++i)
    if (seen[i] != static_cast<int32_t>(i + 1)) return "out of order at " + std::to_string(i);
  return std::to_string(seen.size()) + " rows in order";
$$;
SELECT cursor_alternate(1);
SELECT cursor_alternate(17);
SELECT cursor_alternate(2005);

-- a fetch inside the loop takes the rows the loop would have read next; the loop goes on after
CREATE FUNCTION cursor_fetch_inside(total int) RETURNS text LANGUAGE plcpp STRICT AS $$
  auto c = spi::cursor("select g from generate_series(1, $1) g", total);
  std::vector<int32_t> seen;
  for (auto r : c) {
    seen.push_back(r.get<int32_t>(0));
    for (auto s : c.fetch(2)) seen.push_back(s.get<int32_t>(0));
  }
  for (std::size_t i = 0; i < seen.size(); ++i)
    if (seen[i] != static_cast<int32_t>(i + 1)) return "out of order at " + std::to_string(i);
  return std::to_string(seen.size()) + " rows in order";
$$;
SELECT cursor_fetch_inside(10);
SELECT cursor_fetch_inside(3001);

-- a plain loop still reads everything (several batches)
CREATE FUNCTION cursor_count(total int) RETURNS bigint LANGUAGE plcpp STRICT AS $$
  int64_t n = 0, sum = 0;
  for (auto r : spi::cursor("select g from generate_series(1, $1) g", total)) {
    ++n;
    sum += r.get<int32_t>(0);
  }
  return sum == n * (n + 1) / 2 ? n : -1;
$$;
SELECT cursor_count(0), cursor_count(999), cursor_count(1000), cursor_count(2001);

-- A cursor kept in a static whose loop was left with break: the rows it read ahead were freed
-- with that call. The next call says so (55000) instead of skipping them; fetch(n) across
-- calls keeps working.
CREATE FUNCTION cursor_kept(phase int) RETURNS text LANGUAGE plcpp STRICT AS $$
  static std::optional<plcpp::cursor> c;
  if (phase == 0) {
    c.emplace(spi::cursor("select g from generate_series(1, 10) g"));
    return "opened";
  }
  if (phase == 1) {
    for (auto r : *c) return "looped to " + std::to_string(r.get<int32_t>(0));
  }
  if (phase == 2) {
    std::string out;
    for (auto r : c->fetch(3)) out += std::to_string(r.get<int32_t>(0)) + " ";
    return out;
  }
  try {
    for (auto r : *c) return "looped to " + std::to_string(r.get<int32_t>(0));
  } catch (const plcpp::sql_error &e) {
    return e.sqlstate() + " " + e.message();
  }
  return "end";
$$;
BEGIN;  -- the portal lives for the transaction
SELECT cursor_kept(0);
SELECT cursor_kept(2);
SELECT cursor_kept(2);
SELECT cursor_kept(1);
SELECT cursor_kept(3);
SELECT cursor_kept(2);
COMMIT;
SELECT 1 AS alive;
