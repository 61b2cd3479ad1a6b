"""Bodies more than one workload times (bench/workloads/): one text, so that their figures
compare the same code."""

TRIVIAL = "return a + 1;"

# A 20-line body using <string>, <vector>, <map> and <sstream> (a plcpp function of int a).
STD20 = """std::vector<std::string> words;
std::string s = std::to_string(a);
for (int i = 0; i < 20; ++i) words.push_back(s + "-" + std::to_string(i * a));
std::sort(words.begin(), words.end());
std::map<std::string, int> counts;
for (const auto &w : words) counts[w.substr(0, 3)] += 1;
std::ostringstream out;
for (const auto &[k, v] : counts) out << k << "=" << v << ";";
std::string r = out.str();
if (r.empty()) return 0;
int total = 0;
for (char c : r) total += c;
std::vector<int> lengths;
for (const auto &w : words) lengths.push_back(static_cast<int>(w.size()));
total += std::accumulate(lengths.begin(), lengths.end(), 0);
auto it = std::max_element(lengths.begin(), lengths.end());
if (it != lengths.end()) total += *it;
std::string tail = words.back();
return total + static_cast<int>(tail.size());"""
