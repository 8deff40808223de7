#pragma once
// Union-find (disjoint sets) for clustering linked events; each set is named by its smallest
// member, so the sets do not depend on the order of the joins.
#include <algorithm>
#include <cstddef>
#include <numeric>
#include <vector>

namespace mrdflow::autogate {

struct UnionFind {
  std::vector<std::size_t> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::size_t find(std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void join(std::size_t a, std::size_t b) {
    a = find(a), b = find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
};

}  // namespace mrdflow::autogate
