// No console window next to the dashboard on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    kyc_desk::run();
}
