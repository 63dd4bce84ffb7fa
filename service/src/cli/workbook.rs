//! Writing an engine workbook (`passerelle_engine::sheets`) to a file that appears
//! whole or not at all, readable by its owner only (it may hold contact data).

use std::io::BufWriter;
use std::path::Path;

use anyhow::Context;
use passerelle_engine::sheets::Book;

use super::atomic_file::AtomicFile;

/// Saves `book` as `path`, whole or not at all.
pub fn save(book: Book, path: &Path) -> anyhow::Result<()> {
    check_extension(path)?;
    let file = AtomicFile::create(path)?;
    book.save(BufWriter::with_capacity(1 << 20, file.writer()))
        .with_context(|| format!("impossible d'écrire {}", path.display()))?;
    file.commit()
}

/// A workbook's path ends in `.xlsx` (what spreadsheet programs open as such).
pub fn check_extension(path: &Path) -> anyhow::Result<()> {
    let xlsx = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    anyhow::ensure!(
        xlsx,
        "{} : un classeur s'écrit dans un fichier .xlsx",
        path.display()
    );
    Ok(())
}
