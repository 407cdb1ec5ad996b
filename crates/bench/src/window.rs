//! B7 (window cold start), B8 (memory) and B8b (Home / End): the release app, its WebKit
//! processes and a 1,000,000-user cache, under the X display the benchmark runs in
//! (`scripts/bench` starts Xvfb), against a baseline measured in the same run: the minimal Tauri
//! window of `crates/bench-window` (same Tauri, WebKitGTK, window size and harness; a static page
//! that paints one line).
//!
//! - B7: from a process's start (its start time in `/proc`) to the page's mark: the queue's first
//!   rows for the app (`kyc-desk:first-rows`, set when it renders them), the line for the minimal
//!   window (`bench-window:painted`, set in the frame that paints it). Both are wall-clock times on
//!   this machine; their ratio is the figure, since machine noise moves both.
//! - B8: the proportional set size (PSS) of a window and every process it started (WebKit's web
//!   and network processes) summed, so memory shared between them counts once: the app's minus
//!   the minimal window's, with the first rows shown and after scrolling through the whole queue
//!   page by page. Their summed RSS, which counts shared libraries once per process, and the
//!   absolute PSS are printed beside.
//! - B8b: End, then Home, pressed in the queue: from the key's event to the frame in which the
//!   last (first) row is in the grid, timed in the page.
//!
//! Each window runs as an officer's would, through the end-to-end harness (`e2e::Driver`: its own
//! D-Bus session and keyring, tauri-driver and WebKitWebDriver). The app runs in live mode on the
//! cache copied to its folder; its Treezor and relay settings point to a closed loopback port: the
//! start is measured on the cache alone, with the sync loop's first attempt failing as it would
//! offline. The minimal window runs once unmeasured first, so that both measured starts find
//! WebKit's libraries in the page cache.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use e2e::Desk;
use e2e::driver::Driver;

use crate::cache::big;
use crate::figure::{Figure, load_average};

/// How long the whole queue may take to scroll through before B8 gives up and says so.
const PAGING_LIMIT: Duration = Duration::from_secs(900);
/// How long a window may take to show what it is measured at.
const SHOW_LIMIT: Duration = Duration::from_secs(120);

/// The End and Home keys, as WebDriver sends them.
const END: &str = "\u{E010}";
const HOME: &str = "\u{E011}";

pub fn run(wants: &dyn Fn(&str) -> bool) -> Vec<Figure> {
    if !(wants("B7") || wants("B8") || wants("B8b")) {
        return Vec::new();
    }
    let Some(app) = app_under_x("B7/B8") else {
        return Vec::new();
    };
    let Some(window) = binary("kyc-bench-window") else {
        eprintln!(
            "B7/B8: no minimal window at target/release/kyc-bench-window; scripts/bench builds it"
        );
        return Vec::new();
    };
    crate::runtime().block_on(measure(&app, &window, wants("B8"), wants("B8b")))
}

/// A window measured where it shows what it is for.
struct Shown {
    desk: Desk,
    pid: u32,
    /// From the process's start to the page's mark, in seconds.
    seconds: f64,
    /// PSS of the process and its children then, in kB.
    pss_kb: u64,
}

async fn measure(app: &Path, window: &Path, b8: bool, b8b: bool) -> Vec<Figure> {
    eprintln!("B7: load average before the windows: {}", load_average());
    let warm = show(window, "kyc-bench-windo", "bench-window:painted", |_| {}).await;
    warm.desk.close().await;
    let baseline = show(window, "kyc-bench-windo", "bench-window:painted", |_| {}).await;
    baseline.desk.close().await;
    let cache = big::path();
    let shown = show(app, "kyc-desk", "kyc-desk:first-rows", |home| {
        prepare(home, &cache)
    })
    .await;
    eprintln!("B7: load average after the windows: {}", load_average());
    let ratio = shown.seconds / baseline.seconds;
    let mut figures = vec![
        Figure {
            id: "B7",
            figure: "cold start: first rows ÷ the minimal window's first paint".into(),
            value: ratio,
            unit: "×",
            target: "<= 1.15",
            meets_target: ratio <= 1.15,
        },
        Figure {
            id: "B7",
            figure: "first rows, 1,000,000-user cache (absolute)".into(),
            value: shown.seconds,
            unit: "s",
            target: "<= 1.0 (old)",
            meets_target: shown.seconds <= 1.0,
        },
        Figure {
            id: "B7",
            figure: "the minimal window's first paint (absolute)".into(),
            value: baseline.seconds,
            unit: "s",
            target: "—",
            meets_target: true,
        },
    ];
    let mb = |kb: u64| kb as f64 / 1024.0;
    let above_at_start = mb(shown.pss_kb) - mb(baseline.pss_kb);
    if b8 {
        figures.push(Figure {
            id: "B8",
            figure: "PSS above the minimal window, first rows shown".into(),
            value: above_at_start,
            unit: "MB",
            target: "<= 60",
            meets_target: above_at_start <= 60.0,
        });
        figures.push(Figure {
            id: "B8",
            figure: "minimal window's PSS (absolute)".into(),
            value: mb(baseline.pss_kb),
            unit: "MB",
            target: "—",
            meets_target: true,
        });
        figures.push(Figure {
            id: "B8",
            figure: "app's PSS, first rows shown (absolute)".into(),
            value: mb(shown.pss_kb),
            unit: "MB",
            target: "—",
            meets_target: true,
        });
        figures.extend(after_paging(&shown, baseline.pss_kb).await);
    }
    if b8b {
        figures.extend(home_and_end(&shown.desk).await);
    }
    shown.desk.close().await;
    figures
}

/// Starts `binary` (whose process is named `comm`) on a fresh driver once `prepare` has filled its
/// folder, and waits for the page's `mark`.
async fn show(binary: &Path, comm: &str, mark: &str, prepare: impl FnOnce(&Path)) -> Shown {
    // The app's start steps are logged at the debug level (see `start_steps`).
    let driver = Driver::start(&[("GTK_THEME", "Adwaita"), ("RUST_LOG", START_STEPS_LOG)]);
    let home = driver.app_home();
    std::fs::create_dir_all(&home).expect("the window's folder");
    prepare(&home);
    let desk = Desk::connect(driver, binary).await;
    let asked = Instant::now();
    let marks = loop {
        let marks = desk
            .script(&format!(
                "const mark = performance.getEntriesByName('{mark}')[0];
                 return mark ? [performance.timeOrigin, mark.startTime] : null;"
            ))
            .await;
        if !marks.is_null() {
            break marks;
        }
        assert!(
            asked.elapsed() < SHOW_LIMIT,
            "{} did not set {mark} within {SHOW_LIMIT:?}",
            binary.display()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let (origin, at) = (
        marks[0].as_f64().expect("the page's time origin"),
        marks[1].as_f64().expect("the mark's time"),
    );
    // The page's own timeline, from its time origin: the document loaded and parsed, the app's
    // marks (the first page asked for and answered, the first rows).
    let timeline = desk
        .script(
            "const n = performance.getEntriesByType('navigation')[0];
             const steps = n ? [['response end', n.responseEnd], ['DOM interactive', n.domInteractive],
               ['DOM content loaded', n.domContentLoadedEventEnd]] : [];
             for (const m of performance.getEntriesByType('mark')) steps.push([m.name, m.startTime]);
             return steps.map(([name, at]) => `${name} ${Math.round(at)} ms`).join(', ');",
        )
        .await;
    eprintln!(
        "B7: {} page timeline: {}",
        binary.display(),
        timeline.as_str().unwrap_or("none")
    );
    let pid = pid_of(&home, comm).expect("the window's process is found by its KYC_DESK_HOME");
    let started = process_start_ms(pid);
    for (at, step) in start_steps(&desk.output(), started) {
        eprintln!("B7: {}: {at:>6.0} ms after exec: {step}", binary.display());
    }
    let seconds = (origin + at - started) / 1000.0;
    let mut pss_kb = 0;
    for p in descendants(pid) {
        let (p_pss, _) = pss_rss_kb(p);
        eprintln!(
            "B8: {} at {mark}: pid {p} {:<16} PSS {p_pss} kB ({})",
            binary.display(),
            comm_of(p),
            pss_by_kind(p)
        );
        pss_kb += p_pss;
    }
    eprintln!(
        "B7: {}: process {pid} started; its page began loading {:.0} ms later and set {mark} \
         {at:.0} ms after that ({:.0} ms in all); PSS {} MB",
        binary.display(),
        origin - started,
        seconds * 1000.0,
        pss_kb / 1024
    );
    Shown {
        desk,
        pid,
        seconds,
        pss_kb,
    }
}

/// The app's log filter in the benchmark: its usual one, and the start's steps.
const START_STEPS_LOG: &str =
    "warn,desk=info,kyc_desk=debug,desk::start=debug,desk::first_rows=debug";

/// The app's start steps (its log lines `start: …`), each with its time after the process's exec
/// (`started`, ms since the Unix epoch), read from the lines' UTC timestamps.
fn start_steps(output: &str, started: f64) -> Vec<(f64, String)> {
    let day_ms = 86_400_000.0;
    let exec_in_day = started % day_ms;
    output
        .lines()
        .map(without_colours)
        .filter_map(|line| {
            let (_, step) = line.split_once(" start: ")?;
            // `2026-12-02T04:55:01.123456Z …`: the time of day.
            let time = line.get(11..line.find('Z')?)?;
            let mut parts = time.split(':');
            let (h, m, s): (f64, f64, f64) = (
                parts.next()?.parse().ok()?,
                parts.next()?.parse().ok()?,
                parts.next()?.parse().ok()?,
            );
            let at = (h * 3_600.0 + m * 60.0 + s) * 1000.0;
            Some((at - exec_in_day, step.to_owned()))
        })
        .collect()
}

/// `line` without its ANSI colour sequences.
fn without_colours(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Scrolls the queue from its first row to its last, a page of rows at a time, each shown before
/// the next; then measures the app's memory.
async fn after_paging(shown: &Shown, baseline_kb: u64) -> Vec<Figure> {
    let desk = &shown.desk;
    let total = desk
        .script("return Number(document.querySelector('.grid').getAttribute('aria-rowcount')) - 1;")
        .await
        .as_u64()
        .unwrap_or(0);
    let started = Instant::now();
    let mut row = 0u64;
    let reached = loop {
        // Fifty steps of 400 rows a call, each waiting for its rows to be in the grid.
        let at = desk
            .script_async_with(
                "const [from, step, steps, done] = arguments;
                 const grid = document.querySelector('.grid');
                 const viewport = grid.querySelector('.viewport');
                 const count = Number(grid.getAttribute('aria-rowcount')) - 1;
                 const frame = () => new Promise((r) => requestAnimationFrame(r));
                 (async () => {
                   let row = from;
                   for (let i = 0; i < steps && row < count - 1; i++) {
                     row = Math.min(count - 1, row + step);
                     const content = count * 36, scroll = viewport.scrollHeight;
                     const height = viewport.clientHeight;
                     const ratio = scroll > height && content > scroll
                       ? (content - height) / (scroll - height) : 1;
                     viewport.scrollTop = (row * 36 - height / 2) / ratio;
                     for (let f = 0; f < 600; f++) {
                       await frame();
                       if (grid.getAttribute('aria-busy') === 'false'
                           && !grid.querySelector('.row.placeholder')) break;
                     }
                   }
                   done(row);
                 })();",
                vec![
                    serde_json::json!(row),
                    serde_json::json!(400),
                    serde_json::json!(50),
                ],
            )
            .await
            .as_u64()
            .unwrap_or(row);
        row = at;
        if total == 0 || row + 1 >= total {
            break true;
        }
        if started.elapsed() > PAGING_LIMIT {
            eprintln!("B8: scrolling stopped at row {row} of {total} after {PAGING_LIMIT:?}");
            break false;
        }
    };
    eprintln!(
        "B8: scrolled through {total} rows in {:.1} s (reached the end: {reached}); load average {}",
        started.elapsed().as_secs_f64(),
        load_average()
    );
    let (mut pss, mut rss) = (0u64, 0u64);
    for p in descendants(shown.pid) {
        let (p_pss, p_rss) = pss_rss_kb(p);
        eprintln!(
            "B8: after paging: pid {p} {:<24} PSS {p_pss} kB, RSS {p_rss} kB ({})",
            comm_of(p),
            pss_by_kind(p)
        );
        pss += p_pss;
        rss += p_rss;
    }
    let mb = |kb: u64| kb as f64 / 1024.0;
    let above = mb(pss) - mb(baseline_kb);
    let end = if reached { "" } else { " (end not reached)" };
    vec![
        Figure {
            id: "B8",
            figure: format!("PSS above the minimal window, after scrolling all {total} rows{end}"),
            value: above,
            unit: "MB",
            target: "<= 80",
            meets_target: reached && above <= 80.0,
        },
        Figure {
            id: "B8",
            figure: format!("app's PSS after scrolling all rows (absolute){end}"),
            value: mb(pss),
            unit: "MB",
            target: "<= 200 (old)",
            meets_target: reached && mb(pss) <= 200.0,
        },
        Figure {
            id: "B8",
            figure: "same, summed RSS (shared pages counted per process)".into(),
            value: mb(rss),
            unit: "MB",
            target: "—",
            meets_target: true,
        },
    ]
}

/// B8b: End, then Home, from the key's event to the frame with the last (first) row in the grid.
async fn home_and_end(desk: &Desk) -> Vec<Figure> {
    desk.script(
        "window.benchKeys = {};
         addEventListener('keydown', (event) => {
           if (event.key !== 'End' && event.key !== 'Home') return;
           const pressed = performance.now();
           const grid = document.querySelector('.grid');
           const wanted = event.key === 'End'
             ? Number(grid.getAttribute('aria-rowcount')) : 2;
           const look = () => {
             const row = grid.querySelector(`.row[aria-rowindex=\"${wanted}\"][data-user]`);
             if (row) window.benchKeys[event.key] = performance.now() - pressed;
             else requestAnimationFrame(look);
           };
           requestAnimationFrame(look);
         }, true);
         return null;",
    )
    .await;
    let mut figures = Vec::new();
    desk.click(".footer").await;
    for (key, name, rows) in [(END, "End", "last"), (HOME, "Home", "first")] {
        desk.press(key).await;
        let asked = Instant::now();
        let ms = loop {
            let ms = desk
                .script(&format!("return window.benchKeys['{name}'] ?? null;"))
                .await;
            if let Some(ms) = ms.as_f64() {
                break Some(ms);
            }
            if asked.elapsed() > SHOW_LIMIT {
                break None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        eprintln!("B8b: {name}: {ms:?} ms; load average {}", load_average());
        figures.push(Figure {
            id: "B8b",
            figure: format!("{name} on 1,000,000 rows: key press to the {rows} rows shown"),
            value: ms.unwrap_or(f64::INFINITY),
            unit: "ms",
            target: "<= 300",
            meets_target: ms.is_some_and(|ms| ms <= 300.0),
        });
    }
    figures
}

/// Puts the cache and offline live settings in the app's folder.
fn prepare(home: &Path, cache: &Path) {
    std::fs::copy(cache, home.join("cache.sqlite")).expect("the cache is copied");
    e2e::write_offline_settings(home);
}

/// The app the window benchmarks (`ids`) start, when it is built and an X display is there;
/// otherwise says what is missing.
pub(crate) fn app_under_x(ids: &str) -> Option<PathBuf> {
    let Some(app) = binary("kyc-desk") else {
        eprintln!(
            "{ids}: no release app with its UI embedded at target/release/kyc-desk (or \
             KYC_DESK_BIN); scripts/bench builds it"
        );
        return None;
    };
    if std::env::var_os("DISPLAY").is_none() {
        eprintln!("{ids}: no X display; scripts/bench runs the benchmarks under Xvfb");
        return None;
    }
    Some(app)
}

/// A release binary beside `kyc-bench` (the app's may be named by `KYC_DESK_BIN`).
fn binary(name: &str) -> Option<PathBuf> {
    let named = (name == "kyc-desk")
        .then(|| std::env::var_os("KYC_DESK_BIN").map(PathBuf::from))
        .flatten();
    let path = named.or_else(|| {
        let exe = std::env::current_exe().ok()?;
        Some(exe.parent()?.join(name))
    })?;
    path.is_file().then_some(path)
}

/// The process whose environment has `KYC_DESK_HOME=<home>` and whose name is `comm` (the kernel
/// keeps its first 15 bytes).
fn pid_of(home: &Path, wanted_comm: &str) -> Option<u32> {
    let wanted = format!("KYC_DESK_HOME={}", home.display());
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if comm_of(pid) != wanted_comm {
            continue;
        }
        let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        if environ
            .split(|b| *b == 0)
            .any(|var| var == wanted.as_bytes())
        {
            return Some(pid);
        }
    }
    None
}

fn comm_of(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// The fields of `/proc/<pid>/stat` after the command name.
fn stat_fields(pid: u32) -> Vec<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// When `pid` started, in milliseconds since the Unix epoch (to the kernel's clock tick).
fn process_start_ms(pid: u32) -> f64 {
    // Field 22 of stat is the start time in ticks since boot; after ')' it is the 20th.
    let ticks: f64 = stat_fields(pid)[19].parse().expect("a start time");
    let boot: f64 = std::fs::read_to_string("/proc/stat")
        .expect("/proc/stat")
        .lines()
        .find_map(|l| l.strip_prefix("btime ").map(|v| v.trim().parse().unwrap()))
        .expect("the boot time");
    (boot + ticks / USER_HZ) * 1000.0
}

/// The kernel's clock ticks per second in `/proc` (USER_HZ), 100 on every architecture Debian
/// ships.
const USER_HZ: f64 = 100.0;

/// `pid` and every process below it.
fn descendants(pid: u32) -> Vec<u32> {
    let mut all = vec![pid];
    let mut i = 0;
    while i < all.len() {
        let parent = all[i];
        if let Ok(entries) = std::fs::read_dir("/proc") {
            for entry in entries.flatten() {
                if let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>()
                    && stat_fields(child)
                        .get(1)
                        .and_then(|p| p.parse::<u32>().ok())
                        == Some(parent)
                {
                    all.push(child);
                }
            }
        }
        i += 1;
    }
    all
}

/// PSS and RSS of one process, in kB.
fn pss_rss_kb(pid: u32) -> (u64, u64) {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let field = |name: &str| {
        rollup
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("Pss:"), field("Rss:"))
}

/// The PSS of one process by the kind of memory its mappings hold, for the profile beside B8:
/// anonymous memory (the allocators' heaps: JavaScriptCore's, bmalloc's, malloc's arenas; and,
/// with accelerated compositing in software GL, the tiles and the compiled shaders), the `brk`
/// heap, shared memory (buffers handed between processes), the shared libraries, fonts, and other
/// mapped files.
fn pss_by_kind(pid: u32) -> String {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let kinds = [
        "anonymous",
        "brk heap",
        "shared memory",
        "libraries",
        "fonts",
        "other files",
    ];
    let mut kb = [0u64; 6];
    let mut kind = 0;
    for line in smaps.lines() {
        if let Some(pss) = line.strip_prefix("Pss:") {
            kb[kind] += pss
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        } else if line
            .split_whitespace()
            .next()
            .is_some_and(|f| f.contains('-'))
        {
            // A mapping's header: address range, permissions, offset, device, inode, path.
            let path = line.split_whitespace().nth(5).unwrap_or("");
            kind = if path.is_empty() || path.starts_with("[anon") || path.starts_with("[stack") {
                0
            } else if path == "[heap]" {
                1
            } else if path.starts_with("/memfd:")
                || path.starts_with("/dev/shm")
                || path.starts_with("/dev/dri")
                || path.starts_with("/SYSV")
            {
                2
            } else if path.contains(".so") {
                3
            } else if [".ttf", ".otf", ".ttc", ".pcf", "fontconfig"]
                .iter()
                .any(|f| path.contains(f))
            {
                4
            } else {
                5
            };
        }
    }
    kinds
        .iter()
        .zip(kb)
        .map(|(name, kb)| format!("{name} {:.1} MB", kb as f64 / 1024.0))
        .collect::<Vec<_>>()
        .join(", ")
}
