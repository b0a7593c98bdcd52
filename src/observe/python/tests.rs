//! The pure parts of the Python reader: finding the thread-id offset in control blocks.

use super::tid::offset_fits;
use std::collections::HashSet;

fn block_with(words: &[(usize, u32)]) -> Vec<u8> {
    let mut block = vec![0u8; 64];
    for &(offset, value) in words {
        block[offset..offset + 4].copy_from_slice(&value.to_ne_bytes());
    }
    block
}

#[test]
fn an_offset_fits_where_every_block_holds_a_distinct_live_id() {
    let live = HashSet::from([100, 101]);
    let blocks = [block_with(&[(8, 100)]), block_with(&[(8, 101)])];
    assert!(offset_fits(&blocks, 8, &live));
    assert!(!offset_fits(&blocks, 12, &live), "zeros are no thread");
}

#[test]
fn an_offset_does_not_fit_where_two_blocks_name_one_thread() {
    let live = HashSet::from([100, 101]);
    let blocks = [block_with(&[(8, 100)]), block_with(&[(8, 100)])];
    assert!(!offset_fits(&blocks, 8, &live));
}

#[test]
fn an_offset_past_a_short_block_does_not_fit() {
    let live = HashSet::from([100]);
    assert!(!offset_fits(&[block_with(&[(60, 100)])], 62, &live));
    assert!(offset_fits(&[block_with(&[(60, 100)])], 60, &live));
}
