//! Theme sets as nibble planes, so that the first pass of the cross product counts the
//! themes a query shares with 32 candidates by one table lookup (`pshufb`) and one
//! addition per nibble: a set is a `u32`, its nibble `p` is stored in plane `p` (one
//! byte per candidate), and the query's table for plane `p` gives, for each of the
//! 16 values of a candidate's nibble, the number of bits it shares with the query's
//! nibble. Counting the bits of each candidate's `u32` (`a & b`, then a popcount in
//! vectors) takes five times as many instructions. Every plane is looked up, even
//! where the query's nibble is 0: skipping those would cost a loop whose length
//! changes from one query to the next, and its mispredicted branches cost more than
//! the lookups saved (measured).

/// The nibbles of a `u32`.
pub const PLANES: usize = 8;

/// One theme set of every candidate, as [`PLANES`] planes of nibbles.
#[derive(Debug, Default)]
pub struct NibblePlanes([Vec<u8>; PLANES]);

impl NibblePlanes {
    pub fn push(&mut self, set: u32) {
        for (p, plane) in self.0.iter_mut().enumerate() {
            plane.push(nibble(set, p));
        }
    }

    /// Nibble `p` of every candidate's set.
    #[inline]
    pub fn plane(&self, p: usize) -> &[u8] {
        &self.0[p]
    }
}

/// A query's set: for each plane, the bits a candidate's nibble shares with the
/// query's, by the candidate's nibble.
#[derive(Debug, Default)]
pub struct NibbleTables(pub [[u8; 16]; PLANES]);

impl NibbleTables {
    pub fn of(set: u32) -> NibbleTables {
        NibbleTables(std::array::from_fn(|p| {
            std::array::from_fn(|n| (nibble(set, p) & n as u8).count_ones() as u8)
        }))
    }
}

fn nibble(set: u32, p: usize) -> u8 {
    ((set >> (4 * p)) & 0xf) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_count_the_shared_bits_of_every_plane() {
        let (query, sets) = (0x3000_9a01_u32, [0u32, u32::MAX, 0x1000_8a01, 0x2f0f_1234]);
        let mut planes = NibblePlanes::default();
        for set in sets {
            planes.push(set);
        }
        let tables = NibbleTables::of(query);
        for (i, set) in sets.iter().enumerate() {
            let counted: u32 = (0..PLANES)
                .map(|p| u32::from(tables.0[p][usize::from(planes.plane(p)[i])]))
                .sum();
            assert_eq!(counted, (query & set).count_ones(), "{set:#x}");
        }
    }
}
