//! The end-to-end tests, one module per screen, in one test binary: each test opens its own app
//! window (see `e2e::Desk`), so they run side by side.

mod reason_codes;
