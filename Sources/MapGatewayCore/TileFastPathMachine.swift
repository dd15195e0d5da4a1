/// The decisions of the tile fast path for one connection (pure: bytes and events in, steps
/// out; ``TileFastPath`` is the NIO handler that carries them out). After swift-nio's
/// `ProtocolNegotiationHandlerStateMachine`.
///
/// The connection starts ``State/answering(unconfirmed:)``: each complete plain tile request at
/// the front of the buffered input is answered (``Step/answer(_:consumed:)``), in order, and the
/// answers are flushed once the input holds no further complete request. The first request that is
/// anything else (see ``TileRequestParser``), or a head longer than ``maxHeadBytes``, hands the
/// connection to the normal stack for good (``Step/handOver``) with its bytes untouched, so
/// responses always leave in request order; the handler then leaves the pipeline.
///
/// Bounded: a client that pipelines requests and never reads cannot make the gateway buffer
/// more than `maxPipelined` answers, nor more than the channel's write buffer holds (its high-water
/// mark plus one answer). The machine is ``State/paused(unconfirmed:waitingForFlush:unwritable:)``
/// (no answers, reads withheld) while the channel is not writable, and whenever `maxPipelined`
/// requests were answered since the written answers last all left: it then asks for a flush it is
/// told about (``Step/flushAndNotify``) and answers again once that flush completed.
package struct TileFastPathMachine: Sendable {
    /// The longest request head answered here; a longer one goes to the normal stack.
    package static let maxHeadBytes = 8192

    /// Where the connection is.
    package enum State: Sendable, Hashable {
        /// Answering tile requests as they arrive. `unconfirmed`: answers written since the
        /// written answers last all left (since a ``Step/flushAndNotify`` completed).
        case answering(unconfirmed: Int)
        /// Neither answering nor reading: waiting for a ``Step/flushAndNotify`` to complete
        /// (`maxPipelined` answers unconfirmed), for the channel to become writable, or both.
        case paused(unconfirmed: Int, waitingForFlush: Bool, unwritable: Bool)
        /// The normal stack owns the connection (terminal: the handler left the pipeline).
        case handedOver
        /// A graceful shutdown closes the connection between requests (terminal).
        case closing
        /// A write failed: nothing more is answered, the channel is going away.
        case failed
        /// The connection ended (terminal).
        case closed
    }

    /// What the handler does next with the buffered input.
    package enum Step: Sendable, Hashable {
        /// Write the answer to `request` (unflushed) and drop the first `consumed` buffered bytes.
        case answer(TileRequest, consumed: Int)
        /// Flush the answers written so far.
        case flush
        /// Flush, and call ``flushCompleted(success:)`` once everything written so far has left.
        case flushAndNotify
        /// Pass on the read that ``readRequested()`` withheld.
        case read
        /// Nothing to do until more bytes or another event arrive.
        case wait
        /// Pass every buffered byte to the normal stack and leave the pipeline.
        case handOver
        /// Close the connection once the written answers have left (the normal stack is told that
        /// no request will come).
        case close
    }

    /// What to do with bytes read from the connection.
    package enum ReadAction: Sendable, Hashable {
        /// Append them to the buffered input, then step.
        case buffer
        /// Drop them: the connection is closing.
        case discard
        /// Pass them on to the normal stack.
        case forward
    }

    /// Whether the handler steps through the buffered input again after an event.
    package enum Resume: Sendable, Hashable {
        /// The pause ended: step (answers, then the withheld read).
        case step
        /// Nothing changes for the buffered input.
        case none
    }

    /// What a read request from the pipeline becomes.
    package enum ReadDecision: Sendable, Hashable {
        case forward
        /// Withheld until the pause ends (the handler gets ``Step/read``).
        case withhold
    }

    /// What a graceful-shutdown request becomes.
    package enum QuiesceAction: Sendable, Hashable {
        /// Close now (``Step/close``).
        case close
        /// Close once the request being read is answered (or nothing: already closing).
        case later
        /// Pass the event on to the normal stack.
        case forward
    }

    /// What the end of the connection becomes.
    package enum InactiveAction: Sendable, Hashable {
        /// Tell the normal stack, still waiting for a first request, that no request will come
        /// (so it ends without reporting the close as an error).
        case fireInputClosed
        case none
    }

    package private(set) var state = State.answering(unconfirmed: 0)
    /// `<base path>tiles/`, e.g. `/tiles/` or `/map/tiles/`.
    package let prefix: String
    /// The most answers written before the machine waits for them to leave (at least 1).
    package let maxPipelined: Int
    /// Answers written since the last flush.
    private var unflushed = false
    /// A read was withheld during a pause.
    private var readWithheld = false
    /// A graceful shutdown waits for the request being read to be answered.
    private var quiescing = false

    package init(prefix: String, maxPipelined: Int) {
        self.prefix = prefix
        self.maxPipelined = max(1, maxPipelined)
    }

    /// The next step over `input`, the buffered bytes not yet consumed (possibly none). The
    /// handler calls it until it returns ``Step/wait``, ``Step/handOver`` or ``Step/close``.
    package mutating func next(_ input: UnsafeRawBufferPointer) -> Step {
        guard case .answering(let unconfirmed) = state else {
            if case .paused = state, unflushed { return flushed() }
            return .wait
        }
        if unconfirmed >= maxPipelined {
            state = .paused(unconfirmed: unconfirmed, waitingForFlush: true, unwritable: false)
            unflushed = false
            return .flushAndNotify
        }
        switch TileRequestParser.parse(input, prefix: prefix) {
        case .tile(let request, let length):
            state = .answering(unconfirmed: unconfirmed + 1)
            unflushed = true
            return .answer(request, consumed: length)
        case .incomplete where input.count <= Self.maxHeadBytes:
            if unflushed { return flushed() }
            if readWithheld { return withheldRead() }
            if quiescing, input.isEmpty {
                state = .closing
                return .close
            }
            return .wait
        case .incomplete, .other:
            if unflushed { return flushed() }
            if readWithheld { return withheldRead() }
            state = .handedOver
            return .handOver
        }
    }

    /// Bytes arrived from the connection.
    package func channelRead() -> ReadAction {
        switch state {
        case .answering, .paused: .buffer
        case .handedOver: .forward
        case .closing, .failed, .closed: .discard
        }
    }

    /// The pipeline asks for a read (`autoRead`, or the normal stack's own backpressure).
    package mutating func readRequested() -> ReadDecision {
        guard case .paused = state else { return .forward }
        readWithheld = true
        return .withhold
    }

    /// The channel's writability changed.
    package mutating func writabilityChanged(writable: Bool) -> Resume {
        switch state {
        case .answering(let unconfirmed):
            if !writable { state = .paused(unconfirmed: unconfirmed, waitingForFlush: false, unwritable: true) }
            return .none
        case .paused(let unconfirmed, let waitingForFlush, _):
            return pause(unconfirmed: unconfirmed, waitingForFlush: waitingForFlush, unwritable: !writable)
        case .handedOver, .closing, .failed, .closed:
            return .none
        }
    }

    /// The flush of a ``Step/flushAndNotify`` completed: everything written before it left
    /// (`success`), or the channel failed.
    package mutating func flushCompleted(success: Bool) -> Resume {
        guard case .paused(_, true, let unwritable) = state else { return .none }
        guard success else {
            state = .failed
            return .none
        }
        return pause(unconfirmed: 0, waitingForFlush: false, unwritable: unwritable)
    }

    /// A graceful shutdown began. `hasBufferedInput`: part of a request was read.
    package mutating func quiesce(hasBufferedInput: Bool) -> QuiesceAction {
        switch state {
        case .answering, .paused:
            guard !hasBufferedInput else {
                quiescing = true
                return .later
            }
            state = .closing
            return .close
        case .handedOver: return .forward
        case .closing, .failed, .closed: return .later
        }
    }

    /// The connection ended.
    package mutating func channelInactive() -> InactiveAction {
        defer { state = .closed }
        switch state {
        case .answering, .paused, .failed: return .fireInputClosed
        case .handedOver, .closing, .closed: return .none
        }
    }

    /// Stays paused while a reason remains; otherwise answers again.
    private mutating func pause(unconfirmed: Int, waitingForFlush: Bool, unwritable: Bool) -> Resume {
        guard waitingForFlush || unwritable else {
            state = .answering(unconfirmed: unconfirmed)
            return .step
        }
        state = .paused(unconfirmed: unconfirmed, waitingForFlush: waitingForFlush, unwritable: unwritable)
        return .none
    }

    private mutating func flushed() -> Step {
        unflushed = false
        return .flush
    }

    private mutating func withheldRead() -> Step {
        readWithheld = false
        return .read
    }
}
