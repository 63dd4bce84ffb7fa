//! Theme sets as nibble planes, so that the first pass of the cross product counts the
//! themes a query shares with 32 candidates by one table lookup (`pshufb`) and one
//! addition per nibble of the query's set that has a theme: a set is a `u32`, its
//! nibble `p` is stored in plane `p` (one byte per candidate), and the query's table
//! for plane `p` gives, for each of the 16 values of a candidate's nibble, the number
//! of bits it shares with the query's nibble. Queries have a handful of themes, so
//! most planes are skipped, where counting the bits of each candidate's `u32`
//! (`a & b`, then a popcount in vectors) costs the same whatever the query.
//!
//! The number of tables changes from one query to the next; the cross product scores
//! a batch's queries in the order of [`NibbleTables::len`] so that the loops over
//! tables run the same number of times from one query to the next, and their
//! branches are predicted.

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

/// A query's set: for each of its nibbles that is not 0, the plane and the bits a
/// candidate's nibble shares with it, by the candidate's nibble. Held inline (no
/// allocation): the first pass reads a query's tables for every block it scores,
/// and a pointer to follow each time would be one more load to wait for.
#[derive(Debug, Clone, Copy)]
pub struct NibbleTables {
    len: usize,
    tables: [(usize, [u8; 16]); PLANES],
}

impl NibbleTables {
    pub fn of(set: u32) -> NibbleTables {
        let mut tables = NibbleTables {
            len: 0,
            tables: [(0, [0; 16]); PLANES],
        };
        for p in (0..PLANES).filter(|&p| nibble(set, p) != 0) {
            let query = nibble(set, p);
            tables.tables[tables.len] = (
                p,
                std::array::from_fn(|n| (query & n as u8).count_ones() as u8),
            );
            tables.len += 1;
        }
        tables
    }

    /// The number of tables (of nibbles with a theme).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn iter(&self) -> impl Iterator<Item = &(usize, [u8; 16])> {
        self.tables[..self.len].iter()
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
        assert_eq!(tables.len(), 4, "nibbles 0, 2, 3 and 7 have bits");
        for (i, set) in sets.iter().enumerate() {
            let counted: u32 = tables
                .iter()
                .map(|(p, table)| u32::from(table[usize::from(planes.plane(*p)[i])]))
                .sum();
            assert_eq!(counted, (query & set).count_ones(), "{set:#x}");
        }
    }
}
