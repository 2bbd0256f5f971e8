// Rng: the generator's random numbers, small and fast enough to give every simulated person
// their own stream.
//
// Each person draws from a stream seeded from (seed, person index) alone, so a person's life
// does not change when another person is added, and the output is the same on every machine:
// the distributions are written here rather than taken from <random>, whose
// std::*_distribution algorithms differ between standard libraries.

#ifndef THROUGHLINE_TOOLS_GENERATOR_RNG_H_
#define THROUGHLINE_TOOLS_GENERATOR_RNG_H_

#include <cmath>
#include <cstdint>
#include <iterator>
#include <span>

namespace throughline::generator {

// SplitMix64's finaliser: a bijection on 64-bit values that scatters nearby inputs.
constexpr std::uint64_t Mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// xoshiro256** (Blackman and Vigna): 32 bytes of state, statistically sound for simulation.
class Rng {
 public:
  Rng(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t x = Mix64(seed) ^ Mix64(stream + 0x632be59bd9b4e019ULL);
    for (auto& s : s_) {
      x = Mix64(x);
      s = x;
    }
  }

  std::uint64_t Next() {
    const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  bool Chance(double p) { return Uniform() < p; }
  // Uniform integer in [lo, hi], inclusive.
  std::int64_t Range(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(Uniform() * static_cast<double>(hi - lo + 1));
  }
  std::size_t Index(std::size_t n) { return static_cast<std::size_t>(Uniform() * n); }
  // Exponential with the given mean.
  double Exponential(double mean) { return -mean * std::log1p(-Uniform()); }
  // Log-uniform in [lo, hi]: as many values between 1 and 10 as between 10 and 100, the shape
  // of delays and sentence lengths.
  double LogUniform(double lo, double hi) { return lo * std::exp(Uniform() * std::log(hi / lo)); }

  template <class C>
  const auto& Pick(const C& items) {
    return items[Index(std::size(items))];
  }
  // An index drawn with probability proportional to its weight.
  std::size_t Weighted(std::span<const double> weights) {
    double total = 0;
    for (double w : weights)
      total += w;
    double u = Uniform() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (u < weights[i])
        return i;
      u -= weights[i];
    }
    return weights.size() - 1;
  }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace throughline::generator

#endif  // THROUGHLINE_TOOLS_GENERATOR_RNG_H_
