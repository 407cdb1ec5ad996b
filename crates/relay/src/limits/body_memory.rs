//! One byte budget for every webhook body held in memory.
//!
//! Each body is bounded by the body limit (413 past it), but a thousand connections each holding
//! most of a 1 MiB body would hold a gigabyte. So every body takes its bytes from one shared
//! budget as they arrive and gives them back when its request is answered. Taking them as they
//! arrive (rather than the announced `Content-Length` up front) means a slow sender holds only
//! what it has sent: three hundred bodies trickling a byte at a time hold a few kilobytes, and
//! genuine webhooks keep their room. A body that does not fit is answered 503 with
//! `Retry-After` at once; it does not wait for room.

use tokio::sync::{Semaphore, SemaphorePermit};

use super::Saturation;

pub struct BodyMemory {
    cap: usize,
    budget: Semaphore,
    saturation: Saturation,
}

/// The bytes one body holds; given back when dropped.
#[derive(Default)]
pub struct Held<'a> {
    permit: Option<SemaphorePermit<'a>>,
}

/// The budget is spent: the body does not fit now.
#[derive(Debug)]
pub struct Full {
    pub cap: usize,
}

impl BodyMemory {
    pub fn new(cap: usize) -> BodyMemory {
        let cap = cap.clamp(1, Semaphore::MAX_PERMITS);
        BodyMemory {
            cap,
            budget: Semaphore::new(cap),
            saturation: Saturation::new("body memory"),
        }
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Adds `bytes` to what `held` holds, if the budget has them.
    pub fn take<'a>(&'a self, held: &mut Held<'a>, bytes: usize) -> Result<(), Full> {
        if bytes == 0 {
            return Ok(());
        }
        let taken = u32::try_from(bytes)
            .ok()
            .and_then(|n| self.budget.try_acquire_many(n).ok());
        let Some(taken) = taken else {
            self.saturation.refused(self.cap);
            return Err(Full { cap: self.cap });
        };
        self.saturation.admitted();
        match &mut held.permit {
            Some(permit) => permit.merge(taken),
            None => held.permit = Some(taken),
        }
        Ok(())
    }

    /// Bytes not held by any body right now.
    pub fn available(&self) -> usize {
        self.budget.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_share_one_budget_and_give_it_back() {
        let memory = BodyMemory::new(100);
        let mut first = Held::default();
        memory.take(&mut first, 60).unwrap();
        memory.take(&mut first, 30).unwrap();
        let mut second = Held::default();
        assert_eq!(memory.take(&mut second, 20).unwrap_err().cap, 100);
        memory.take(&mut second, 10).unwrap();
        assert_eq!(memory.available(), 0);
        drop(first);
        assert_eq!(memory.available(), 90);
        memory.take(&mut second, 80).unwrap();
        drop(second);
        assert_eq!(memory.available(), 100);
    }
}
