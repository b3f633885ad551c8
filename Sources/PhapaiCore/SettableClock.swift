import Synchronization

/// A clock set by hand, for runs on virtual time (the demo's day, the simulator, benchmarks and
/// tests): the service reads it through ``read`` while its owner moves it. Safe from any thread:
/// the instant is behind a lock.
public final class SettableClock: Sendable {
    private let instant: Mutex<Instant>

    /// Creates a clock showing `start`.
    public init(_ start: Instant) { instant = Mutex(start) }

    /// The instant the clock shows.
    public var now: Instant { instant.withLock { $0 } }

    /// Shows `newInstant` from now on, earlier or later.
    public func set(_ newInstant: Instant) { instant.withLock { $0 = newInstant } }

    /// Moves the clock on by `seconds`.
    public func advance(seconds: Int) { instant.withLock { $0 = $0.adding(seconds: seconds) } }

    /// Moves the clock on to `later`; never back (the clock stays when `later` has passed).
    public func advance(to later: Instant) { instant.withLock { $0 = max($0, later) } }

    /// Reads the clock: the function to give a service as its clock.
    public var read: @Sendable () -> Instant { { self.now } }
}
