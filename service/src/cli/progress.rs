//! Progress bars on a terminal, silence elsewhere (pipes, CI, logs). What they say is
//! French and written the French way (`1,2 million de paires/s`, `reste 12 s`): the
//! counts, the rate with a precision fit for reading, and the time left, estimated
//! from the rate once there is one.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use passerelle_engine::french;

fn style(template: &str, unit: &'static str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .expect("valid template")
        .progress_chars("=> ")
        .with_key(
            "fr_pos",
            |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&french::integer(s.pos()));
            },
        )
        .with_key(
            "fr_len",
            |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&french::integer(s.len().unwrap_or(0)));
            },
        )
        .with_key(
            "fr_rate",
            move |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{} {unit}/s", french::quantity(s.per_sec()));
            },
        )
        .with_key(
            "fr_left",
            |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                // No estimate before a rate is known: an honest "?" beats a wild guess.
                let _ = match s.pos() {
                    0 => w.write_str("reste ?"),
                    _ => write!(w, "reste {}", french::duration(s.eta())),
                };
            },
        )
}

fn shown(bar: ProgressBar, message: &str) -> ProgressBar {
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// A bar over `total` bytes, or a spinner when the size is unknown; hidden when
/// standard error is not a terminal.
pub fn bytes(total: Option<u64>, message: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(total) => ProgressBar::new(total).with_style(style(
            "{msg} [{bar:40}] {bytes}/{total_bytes} ({fr_left})",
            "octets",
        )),
        None => ProgressBar::new_spinner(),
    };
    shown(bar, message)
}

/// A spinner for work of unknown length; hidden when standard error is not a terminal.
pub fn spinner(message: &str) -> ProgressBar {
    bytes(None, message)
}

/// A bar over `total` items (pairs scored, fiches written…) named by `unit`, with
/// the rate and the time left; hidden when standard error is not a terminal.
pub fn items(total: u64, unit: &'static str, message: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total).with_style(style(
        "{msg} [{bar:40}] {fr_pos}/{fr_len} {prefix} ({fr_rate}, {fr_left})",
        unit,
    ));
    bar.set_prefix(unit);
    shown(bar, message)
}
