//! Async waits: a future that marks where a task waits, for the wall-clock profile.
//!
//! A task's wait belongs to the code that awaited, not to the runtime that parked. When a
//! wrapped future first returns `Pending` on a runtime thread of boundscope's `async` mode,
//! the stack at that moment (the task's own async frames) is entered in that run's
//! [`TaskWaits`]; a parked runtime thread shares its time over those places. Anywhere else
//! the wrapper only passes the inner future through.

use super::pending::{TaskWaitGuard, TaskWaits};
use super::wall::with_current_stack;
use crate::model::WaitCategory;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

thread_local! {
    static RUNTIME_TASK_WAITS: RefCell<Option<Arc<TaskWaits>>> = const { RefCell::new(None) };
}

/// Makes the calling (runtime) thread enter waiting tasks in `waits`, or in none.
pub fn set_thread_task_waits(waits: Option<Arc<TaskWaits>>) {
    RUNTIME_TASK_WAITS.with(|slot| *slot.borrow_mut() = waits);
}

/// `future`, with its time pending booked as a `category` wait at the place that awaits it.
pub fn wait_async<F: Future>(category: WaitCategory, future: F) -> TaskWait<F> {
    TaskWait {
        category,
        inner: Box::pin(future),
        guard: None,
    }
}

/// See [`wait_async`].
pub struct TaskWait<F> {
    category: WaitCategory,
    inner: Pin<Box<F>>,
    guard: Option<TaskWaitGuard>,
}

impl<F: Future> Future for TaskWait<F> {
    type Output = F::Output;

    #[inline(never)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let polled = self.inner.as_mut().poll(cx);
        match polled {
            Poll::Ready(_) => self.guard = None,
            Poll::Pending if self.guard.is_none() => {
                let category = self.category;
                self.guard = RUNTIME_TASK_WAITS.with(|slot| {
                    let waits = slot.borrow().clone()?;
                    Some(with_current_stack(|frames| waits.enter(category, frames)))
                });
            }
            Poll::Pending => {}
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_task_is_entered_where_it_waits_and_leaves_when_ready() {
        let waits = Arc::new(TaskWaits::default());
        set_thread_task_waits(Some(waits.clone()));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let (tx, rx) = tokio::sync::oneshot::channel::<u32>();
        let task = runtime.spawn(wait_async(WaitCategory::Net, rx));
        runtime.block_on(tokio::task::yield_now());
        assert_eq!(waits.waiting_tasks(), 1);
        tx.send(7).expect("send");
        let got = runtime.block_on(task).expect("join").expect("value");
        assert_eq!(got, 7);
        assert_eq!(waits.waiting_tasks(), 0);
        set_thread_task_waits(None);
    }
}
