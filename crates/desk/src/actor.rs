//! A value owned by one thread of its own, used from async code by sending it closures.
//!
//! SQLite connections are synchronous and must not be shared between threads; the cache's writer
//! and its reader each live on their own thread, so an apply batch never blocks the async runtime
//! and a queue query never waits for a batch to commit (WAL lets the reader see the last commit).

use std::sync::mpsc;
use std::thread;

use tokio::sync::oneshot;

type Job<T> = Box<dyn FnOnce(&mut T) + Send>;

/// A handle to a value living on its own thread.
pub struct Actor<T> {
    jobs: mpsc::Sender<Job<T>>,
}

impl<T> Clone for Actor<T> {
    fn clone(&self) -> Self {
        Actor {
            jobs: self.jobs.clone(),
        }
    }
}

/// The actor's thread has ended (its value panicked or was dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActorGone;

impl<T: 'static> Actor<T> {
    /// Moves `value` to a new thread named `name`.
    pub fn spawn(name: &str, value: T) -> std::io::Result<Actor<T>>
    where
        T: Send,
    {
        let (jobs, inbox) = mpsc::channel::<Job<T>>();
        thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let mut value = value;
                for job in inbox {
                    job(&mut value);
                }
            })?;
        Ok(Actor { jobs })
    }

    /// Runs `job` on the actor's thread and waits for its answer.
    pub async fn run<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut T) -> R + Send + 'static,
    ) -> Result<R, ActorGone> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send(Box::new(move |value: &mut T| {
                let _ = answer.send(job(value));
            }))
            .map_err(|_| ActorGone)?;
        answered.await.map_err(|_| ActorGone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_in_order_on_the_owned_value() {
        let actor = Actor::spawn("counter", 0u32).unwrap();
        for _ in 0..10 {
            actor.run(|n| *n += 1).await.unwrap();
        }
        assert_eq!(actor.run(|n| *n).await.unwrap(), 10);
    }

    #[tokio::test]
    async fn a_panicking_job_is_reported_not_hung() {
        let actor = Actor::spawn("fragile", ()).unwrap();
        let outcome = actor.run(|_| -> u8 { panic!("job failed") }).await;
        assert_eq!(outcome, Err(ActorGone));
        assert_eq!(actor.run(|_| 1).await, Err(ActorGone));
    }
}
