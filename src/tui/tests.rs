//! Tests of the UI state, rendering snapshots and exports.
