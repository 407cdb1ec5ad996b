//! The `main` of a test binary without the test harness: one drill, and a child role (the process
//! the drill starts, the same binary with `child_var` set). It accepts the harness's usual
//! arguments: a name filter that does not match runs nothing, and `--list` lists the one test.

use std::future::Future;

pub fn main<F: Future<Output = ()>>(
    name: &str,
    child_var: &str,
    child: fn(),
    drill: impl FnOnce() -> F,
) {
    if std::env::var_os(child_var).is_some() {
        return child();
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        println!("{name}: test");
        return;
    }
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
        println!("test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 1 filtered out");
        return;
    }
    println!("running 1 test");
    block_on(drill());
    println!("test {name} ... ok");
    println!("test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out");
}

/// Runs `work` on a runtime of its own: the drill's, or its child's.
pub fn block_on<F: Future>(work: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(work)
}
