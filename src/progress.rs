//! A progress line for long work (rendering or hydrating many sites):
//! drawn on stderr when it is a terminal, nothing otherwise (pipes, CI
//! logs, editors). The line is cleared when the work ends, so what is
//! printed afterwards reads as if it had never been there.
//!
//! ```no_run
//! let progress = stackc::progress::Progress::new(12, "rendering");
//! // ... from any thread, once per finished item:
//! progress.step("sites/prod-ha.yaml");
//! progress.finish();
//! ```

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle};

/// How the line looks: `⠋ rendering [=====>    ] 5/12 sites/prod-ha.yaml`.
const TEMPLATE: &str = "{spinner} {prefix} [{bar:30}] {pos}/{len} {wide_msg}";

/// Redraws per second at most.
const REFRESH_HZ: u8 = 10;

/// A progress line over a known number of items. `Sync`: worker threads
/// (rayon) call [`Progress::step`] directly.
pub struct Progress {
    bar: ProgressBar,
    /// Where the line goes once shown (hidden when stderr is no terminal).
    target: Box<dyn Fn() -> ProgressDrawTarget + Send + Sync>,
    /// Shown only once this much time has passed (checked at each step).
    after: Duration,
    started: Instant,
}

impl Progress {
    /// A line for `total` items of work, `what` naming it ("rendering").
    /// Drawn at once when stderr is a terminal (and not `TERM=dumb`) and
    /// there are at least two items; otherwise never.
    pub fn new(total: usize, what: &'static str) -> Progress {
        if total >= 2 && stderr_is_terminal() {
            Progress::with_target(total, what, || {
                ProgressDrawTarget::stderr_with_hz(REFRESH_HZ)
            })
        } else {
            Progress::with_target(total, what, ProgressDrawTarget::hidden)
        }
    }

    /// Like [`Progress::new`], drawing to the given target (tests).
    pub fn with_target(
        total: usize,
        what: &'static str,
        target: impl Fn() -> ProgressDrawTarget + Send + Sync + 'static,
    ) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(total as u64), target())
            .with_prefix(what)
            .with_style(
                ProgressStyle::with_template(TEMPLATE)
                    .expect("the template is valid")
                    .progress_chars("=> "),
            )
            .with_finish(ProgressFinish::AndClear);
        Progress {
            bar,
            target: Box::new(target),
            after: Duration::ZERO,
            started: Instant::now(),
        }
    }

    /// Shows the line only for work that lasts longer than `after`: it
    /// appears at the first step taken after that time.
    pub fn after(self, after: Duration) -> Progress {
        if !after.is_zero() {
            self.bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        Progress { after, ..self }
    }

    /// One item is done; `name` (a site, a component) is shown beside the
    /// count.
    pub fn step(&self, name: &str) {
        if !self.after.is_zero() && self.bar.is_hidden() && self.started.elapsed() >= self.after {
            self.bar.set_draw_target((self.target)());
        }
        self.bar.set_message(name.to_string());
        self.bar.inc(1);
    }

    /// Ends the work: the line is cleared (also when the `Progress` is
    /// dropped early).
    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}

/// Whether a progress line can be drawn on stderr.
fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use indicatif::TermLike;

    use super::*;

    /// A terminal that records what is written to it.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<String>>);

    impl TermLike for Screen {
        fn width(&self) -> u16 {
            80
        }
        fn move_cursor_up(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> io::Result<()> {
            self.write_str(&format!("{s}\n"))
        }
        fn write_str(&self, s: &str) -> io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> io::Result<()> {
            self.write_str("<clear>")
        }
        fn flush(&self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A progress line over `total` items drawn on a recorded screen.
    fn on_screen(total: usize, what: &'static str) -> (Progress, Screen) {
        let s = Screen::default();
        let target = s.clone();
        let p = Progress::with_target(total, what, move || {
            ProgressDrawTarget::term_like(Box::new(target.clone()))
        });
        (p, s)
    }

    fn text(s: &Screen) -> String {
        s.0.lock().unwrap().clone()
    }

    #[test]
    fn shows_each_step_and_clears_at_the_end() {
        let (p, screen) = on_screen(3, "rendering");
        p.step("sites/a.yaml");
        p.step("sites/b.yaml");
        p.finish();
        let shown = text(&screen);
        assert!(shown.contains("rendering"), "{shown}");
        assert!(shown.contains("2/3 sites/b.yaml"), "{shown}");
        assert!(shown.ends_with("<clear>"), "cleared at the end: {shown}");
    }

    #[test]
    fn waits_when_asked_and_clears_when_dropped() {
        let (p, screen) = on_screen(3, "rendering");
        let p = p.after(Duration::from_secs(3600));
        p.step("sites/a.yaml");
        p.finish();
        assert_eq!(text(&screen), "", "short work shows nothing");

        let (p, screen) = on_screen(3, "hydrating");
        let p = p.after(Duration::from_millis(1));
        std::thread::sleep(Duration::from_millis(5));
        p.step("nova");
        drop(p);
        let shown = text(&screen);
        assert!(shown.contains("hydrating"), "{shown}");
        assert!(shown.ends_with("<clear>"), "dropping clears: {shown}");
    }

    #[test]
    fn one_item_is_never_shown() {
        let p = Progress::new(1, "rendering");
        assert!(p.bar.is_hidden());
        p.step("x");
        p.finish();
    }
}
