//! The end-to-end tests, one module per screen or process, in one test binary: each test opens its
//! own app window (see `e2e::Desk`), on its own demo world, so they run side by side.
//! `customer` plays the other side: Treezor's sandbox, over HTTP. `hub` runs a team's hub for
//! tests with two windows on it.

mod audit_trail;
mod customer;
mod deadlines;
mod french;
mod guide_flow;
mod guide_rules;
mod harness;
mod hub;
mod queue;
mod queue_ends;
mod reason_codes;
mod refusals;
mod security;
mod settings;
mod team_notes;
mod team_work;
mod two_desks;
mod viewer;
