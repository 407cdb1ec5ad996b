//! How the window paints on Linux: WebKitGTK without accelerated compositing.
//!
//! WebKitGTK composites the page with OpenGL and, since 2.46, paints its tiles with Skia on the
//! GPU. Where the GL driver is Mesa's software one (llvmpipe: virtual machines, remote desktops,
//! Xvfb, machines without a GPU driver), each new kind of drawing first compiles its shaders with
//! LLVM on the CPU. Measured on the 1,000,000-user queue under Xvfb (`kyc-bench B8b`, see
//! BENCHMARKS.md): End pressed right after the first rows took 5.5–8.4 s, of which half the web
//! process's CPU was LLVM compiling shaders; painted in software, End took 0.36–0.47 s, and the
//! window's processes used about 65 MB less. A dashboard of text and tables gains nothing from the
//! GPU that would make up for that, so the window paints in software unless
//! `KYC_DESK_GPU_COMPOSITING=1` asks for WebKit's default (for a machine where the GPU is known
//! to serve it better, or to measure the difference).

use tauri::{Runtime, WebviewWindow};

/// The variable that keeps WebKit's default (accelerated compositing) when set to `1`.
pub const GPU_COMPOSITING: &str = "KYC_DESK_GPU_COMPOSITING";

/// Turns WebKit's accelerated compositing off for `window`, unless [`GPU_COMPOSITING`] asks to
/// keep it. Called right after the window is built, before its web process has painted.
pub fn in_software<R: Runtime>(window: &WebviewWindow<R>) -> tauri::Result<()> {
    if std::env::var_os(GPU_COMPOSITING).is_some_and(|value| value == "1") {
        return Ok(());
    }
    #[cfg(target_os = "linux")]
    window.with_webview(|webview| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
        if let Some(settings) = WebViewExt::settings(&webview.inner()) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    })?;
    #[cfg(not(target_os = "linux"))]
    let _ = window;
    Ok(())
}
