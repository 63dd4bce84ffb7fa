//! Round trips and problems, in memory and temporary files.
