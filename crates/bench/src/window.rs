//! B7 (window cold start) and B8 (memory): the release app, its WebKit processes and a
//! 1,000,000-user cache, under the X display the benchmark runs in (`scripts/bench` starts Xvfb).
//!
//! - B7: from the app process's start (its start time in `/proc`) to the queue showing its first
//!   rows (the `kyc-desk:first-rows` performance mark the window sets when it renders them; both
//!   are wall-clock times on this machine).
//! - B8: after B7, the officer presses End in the queue, which pages forward through the whole
//!   queue to its last row; then the proportional set size (PSS) of the app and every process it
//!   started (WebKit's web and network processes) is summed: memory shared between them counts
//!   once. Their summed RSS, which counts shared libraries once per process, is printed beside it.
//!
//! The app runs as an officer's would, in live mode on the cache copied to its folder, through the
//! end-to-end harness (`e2e::Driver`: its own D-Bus session and keyring, tauri-driver and
//! WebKitWebDriver). Its Treezor and relay settings point to a closed loopback port: the start is
//! measured on the cache alone, with the sync loop's first attempt failing as it would offline.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use e2e::Desk;
use e2e::driver::Driver;

use crate::cache::big;
use crate::figure::Figure;

/// How long the whole queue may take to page through before B8 gives up and says so.
const PAGING_LIMIT: Duration = Duration::from_secs(600);

/// The End key, as WebDriver sends it.
const END: &str = "\u{E010}";

pub fn run(wants: &dyn Fn(&str) -> bool) -> Vec<Figure> {
    if !(wants("B7") || wants("B8")) {
        return Vec::new();
    }
    let Some(app) = app_under_x("B7/B8") else {
        return Vec::new();
    };
    let runtime = crate::runtime();
    runtime.block_on(measure(&app, wants("B8")))
}

async fn measure(app: &Path, b8: bool) -> Vec<Figure> {
    let cache = big::path();
    let driver = Driver::start(&[("GTK_THEME", "Adwaita")]);
    let home = driver.app_home();
    prepare(&home, &cache);
    let desk = Desk::connect(driver, app).await;
    desk.element(".grid .row[data-user]").await;
    let marks = desk
        .script(
            "const mark = performance.getEntriesByName('kyc-desk:first-rows')[0];
             return mark ? [performance.timeOrigin, mark.startTime] : null;",
        )
        .await;
    let (origin, mark) = (
        marks[0].as_f64().expect("the page's time origin"),
        marks[1]
            .as_f64()
            .expect("the window marks when its first rows are shown"),
    );
    let shown = origin + mark;
    let pid = app_pid(&home).expect("the app's process is found by its KYC_DESK_HOME");
    let started = process_start_ms(pid);
    let cold_start = (shown - started) / 1000.0;
    eprintln!(
        "B7: process {pid} started; its page began loading {:.0} ms later and showed its first \
         rows {mark:.0} ms after that ({:.0} ms in all)",
        origin - started,
        shown - started
    );
    let mut figures = vec![Figure {
        id: "B7",
        figure: "window cold start, 1,000,000-user cache".into(),
        value: cold_start,
        unit: "s",
        target: "<= 1.0",
        meets_target: cold_start <= 1.0,
    }];
    if b8 {
        figures.extend(memory(&desk, pid).await);
    }
    desk.close().await;
    figures
}

async fn memory(desk: &Desk, pid: u32) -> Vec<Figure> {
    let mut at_start = 0;
    for p in descendants(pid) {
        let (p_pss, _) = pss_rss_kb(p);
        eprintln!(
            "B8: with the first rows shown, pid {p} {:<16} PSS {p_pss} kB",
            comm(p)
        );
        at_start += p_pss;
    }
    eprintln!(
        "B8: PSS of app + WebKit with the first rows shown: {} MB",
        at_start / 1024
    );
    let total = desk
        .text_of(".footer")
        .await
        .and_then(|t| t.split(' ').next().map(|n| n.replace(',', "")))
        .unwrap_or_default();
    desk.click(".footer").await;
    desk.press(END).await;
    let started = Instant::now();
    let last = format!("row {}", format_count(&total));
    let reached = loop {
        let footer = desk.text_of(".footer").await.unwrap_or_default();
        let seeking = desk.text_of(".seeking").await;
        if footer.contains(&last) && seeking.is_none() {
            break true;
        }
        if started.elapsed() > PAGING_LIMIT {
            eprintln!("B8: paging stopped at {footer:?} after {PAGING_LIMIT:?}");
            break false;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    eprintln!(
        "B8: End pressed; the last of {total} rows shown after {:.1} s (reached: {reached})",
        started.elapsed().as_secs_f64()
    );
    let family = descendants(pid);
    let (mut pss, mut rss) = (0u64, 0u64);
    for p in &family {
        let (p_pss, p_rss) = pss_rss_kb(*p);
        eprintln!(
            "B8: pid {p} {:<24} PSS {p_pss} kB, RSS {p_rss} kB",
            comm(*p)
        );
        pss += p_pss;
        rss += p_rss;
    }
    let pss_mb = pss as f64 / 1024.0;
    let rss_mb = rss as f64 / 1024.0;
    vec![
        Figure {
            id: "B8",
            figure: format!(
                "memory after paging all {total} rows, PSS of app + WebKit{}",
                if reached { "" } else { " (end not reached)" }
            ),
            value: pss_mb,
            unit: "MB",
            target: "<= 200",
            meets_target: reached && pss_mb <= 200.0,
        },
        Figure {
            id: "B8",
            figure: "same, summed RSS (shared pages counted per process)".into(),
            value: rss_mb,
            unit: "MB",
            target: "<= 200",
            meets_target: reached && rss_mb <= 200.0,
        },
    ]
}

/// `1000000` → `1,000,000`, as the window writes counts.
fn format_count(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Puts the cache and live settings in the app's folder.
fn prepare(home: &Path, cache: &Path) {
    std::fs::create_dir_all(home).expect("the app's folder");
    std::fs::copy(cache, home.join("cache.sqlite")).expect("the cache is copied");
    let settings = serde_json::json!({
        "treezor": {
            "environment": "sandbox",
            "base_url": "http://127.0.0.1:9",
            "client_id": "bench",
        },
        "relay": { "url": "http://127.0.0.1:9" },
        // The population's cases closed years ago: none leaves the cache while measured.
        "retention": { "closed_case_days": 36500 },
    });
    std::fs::write(home.join("settings.json"), settings.to_string()).expect("settings written");
}

/// The app the window benchmarks (`ids`) start, when it is built and an X display is there;
/// otherwise says what is missing.
pub(crate) fn app_under_x(ids: &str) -> Option<PathBuf> {
    let Some(app) = app_binary() else {
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

/// The app to measure: `KYC_DESK_BIN`, or the `kyc-desk` built beside this command.
fn app_binary() -> Option<PathBuf> {
    let path = std::env::var_os("KYC_DESK_BIN")
        .map(PathBuf::from)
        .or_else(|| {
            let exe = std::env::current_exe().ok()?;
            Some(exe.parent()?.join("kyc-desk"))
        })?;
    path.is_file().then_some(path)
}

/// The process whose environment has `KYC_DESK_HOME=<home>` and whose name is the app's.
fn app_pid(home: &Path) -> Option<u32> {
    let wanted = format!("KYC_DESK_HOME={}", home.display());
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if comm(pid) != "kyc-desk" {
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

fn comm(pid: u32) -> String {
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
