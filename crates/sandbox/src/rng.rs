//! A small deterministic random number generator (SplitMix64) and a string hash (FNV-1a).
//!
//! The sandbox's data and simulated failures must be the same for the same seed on every
//! machine and every version of the dependencies, so it uses its own generator rather than a
//! crate whose streams may change between releases.

/// SplitMix64 (Steele, Lea and Flood, 2014): fast, statistically good enough for fake data.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    #[cfg(test)]
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A generator for the combination of several values (e.g. seed, resource, record index).
    pub(crate) fn of(parts: &[u64]) -> Rng {
        let mut h = 0x243F_6A88_85A3_08D3_u64;
        for p in parts {
            h = mix(h ^ p);
        }
        Rng(h)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A number in `0..n` (`0` when `n` is `0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `true` with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty slice (the first when empty is impossible to return, so the
    /// caller passes a fallback).
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T], fallback: &'a T) -> &'a T {
        items.get(self.below(items.len())).unwrap_or(fallback)
    }

    /// A 24-hex-digit object id (the MongoDB ObjectId format).
    pub(crate) fn object_id(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64() as u32;
        format!("{a:016x}{b:08x}")
    }
}

/// The SplitMix64 output function.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, 64 bits: a stable hash of a name.
pub(crate) fn hash(text: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325_u64;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let a: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..5).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(Rng::new(8).next_u64(), a[0]);
    }

    #[test]
    fn object_ids_are_24_hex_digits() {
        let mut r = Rng::new(1);
        for _ in 0..100 {
            let id = r.object_id();
            assert_eq!(id.len(), 24);
            assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        }
    }

    #[test]
    fn unit_is_in_range() {
        let mut r = Rng::new(3);
        for _ in 0..1000 {
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
        assert_eq!(r.below(0), 0);
    }
}
