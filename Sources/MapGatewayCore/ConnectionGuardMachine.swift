/// The timeouts of one HTTP connection (pure: bytes, request and response events and the time
/// in; deadlines and closes out). `ConnectionGuard` in MapGatewayServer, the first handler of
/// every connection's pipeline, carries it out for the tile fast path and the normal stack alike.
///
/// - ``State/idle(since:)``: no request is being read or answered; without a byte for
///   `idleTimeout` the connection is closed (a keep-alive connection nobody uses).
/// - ``State/readingHead(since:)``: bytes of a request head arrived, its end (an empty line) not
///   yet; unless the head is whole within `headerTimeout` of its first byte the connection is
///   closed (slowloris: a client that sends a header byte every few seconds).
/// - ``State/busy``: a whole head arrived and its answer is not finished: no timeout (the
///   request is the server's to answer). A WebSocket upgrade stays here for good: its liveness is
///   the WebSocket's pings (a client that does not answer them is closed by the WebSocket).
///
/// A head ends at the first empty line (`\n\n`, `\r\n\r\n`, or `\n\r\n`) after bytes that began it.
/// The handlers behind tell the machine when a request started (``requestStarted()``: the
/// normal stack parsed a head) and when every request read so far is answered
/// (``requestsAnswered(partialHeadBuffered:now:)``).
package struct ConnectionGuardMachine: Sendable, Hashable {
    /// Where the connection is.
    package enum State: Sendable, Hashable {
        case idle(since: UInt64)
        case readingHead(since: UInt64)
        case busy
        /// Closed by a timeout (terminal).
        case closed
    }

    /// What the handler does after an event.
    package enum Action: Sendable, Hashable {
        /// Nothing (keep any timer scheduled).
        case none
        /// Make sure a timer fires at `deadline` (uptime nanoseconds) and call ``timerFired(now:)``.
        case schedule(deadline: UInt64)
        /// Close the connection: the head took too long.
        case closeHeaderTimeout
        /// Close the connection: it was idle too long.
        case closeIdleTimeout
    }

    package private(set) var state: State
    /// Nanoseconds a request head may take from its first byte.
    package let headerTimeout: UInt64
    /// Nanoseconds a connection may stay idle.
    package let idleTimeout: UInt64
    /// The last byte scanned was a line feed, possibly followed by a carriage return.
    private var afterLineFeed = false

    /// A connection that opened at `now` (uptime nanoseconds), idle until its first byte.
    package init(now: UInt64, headerTimeout: UInt64, idleTimeout: UInt64) {
        self.state = .idle(since: now)
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
    }

    /// The first timer to schedule.
    package var initialAction: Action { deadline.map { .schedule(deadline: $0) } ?? .none }

    /// Bytes arrived at `now`.
    package mutating func bytesRead(_ bytes: UnsafeRawBufferPointer, now: UInt64) -> Action {
        switch state {
        case .busy, .closed:
            return .none
        case .idle:
            guard !bytes.isEmpty else { return .none }
            state = .readingHead(since: now)
            afterLineFeed = false
        case .readingHead:
            break
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"):
                if afterLineFeed {
                    state = .busy
                    afterLineFeed = false
                    return .none
                }
                afterLineFeed = true
            case UInt8(ascii: "\r"):
                continue
            default:
                afterLineFeed = false
            }
        }
        return deadline.map { .schedule(deadline: $0) } ?? .none
    }

    /// A handler behind parsed a request head (whatever the bytes looked like to the scan).
    package mutating func requestStarted() {
        if state != .closed { state = .busy }
    }

    /// Every request read so far is answered, at `now`. `partialHeadBuffered`: bytes of a next
    /// request are buffered behind (a fast-path read that ended inside a head), so its head
    /// timeout runs from now.
    package mutating func requestsAnswered(partialHeadBuffered: Bool, now: UInt64) -> Action {
        guard state == .busy else { return .none }
        state = partialHeadBuffered ? .readingHead(since: now) : .idle(since: now)
        afterLineFeed = false
        return deadline.map { .schedule(deadline: $0) } ?? .none
    }

    /// The timer fired at `now`: close when the current state's deadline passed, else say when
    /// to look again (the state may have changed since the timer was scheduled).
    package mutating func timerFired(now: UInt64) -> Action {
        guard let deadline else { return .none }
        guard now >= deadline else { return .schedule(deadline: deadline) }
        let action: Action = if case .readingHead = state { .closeHeaderTimeout } else { .closeIdleTimeout }
        state = .closed
        return action
    }

    /// When the current state times out, if it does.
    private var deadline: UInt64? {
        switch state {
        case .idle(let since): since &+ idleTimeout
        case .readingHead(let since): since &+ headerTimeout
        case .busy, .closed: nil
        }
    }
}
