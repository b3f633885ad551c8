import PhapaiCore
import PhapaiService

/// Names and the documented machine-readable forms of trips and patients (`--json`, `json=yes`).
/// Key order and field names are a contract: see docs/cli.md. Looks names up once each.
struct ViewBuilder {
    let service: PhapaiService
    let offset: UTCOffset
    private var places: [PlaceID: Place?] = [:]
    private var patients: [PatientID: Patient?] = [:]

    /// Creates a builder that resolves names through `service`, with times at `offset`.
    init(service: PhapaiService, offset: UTCOffset) {
        self.service = service
        self.offset = offset
    }

    /// The name of a place, or its id when unknown.
    mutating func placeName(_ id: PlaceID) throws -> String { try place(id)?.displayName ?? id.rawValue }

    /// A place, if known (read when first asked for: one booking names two places, not all of them).
    mutating func place(_ id: PlaceID) throws -> Place? {
        if let known = places[id] { return known }
        let place = try service.findPlace(id)
        places[id] = place
        return place
    }

    /// The patient's name, or the code of a patient not registered.
    mutating func patientName(_ id: PatientID) throws -> String { try patient(id)?.name ?? id.rawValue }

    /// A patient, if registered (read when first asked for).
    mutating func patient(_ id: PatientID) throws -> Patient? {
        if let known = patients[id] { return known }
        let patient = try service.findPatient(id)
        patients[id] = patient
        return patient
    }

    /// A trip as JSON (docs/cli.md, "Trip object").
    mutating func tripJSON(_ trip: Trip) throws -> JSONValue {
        func time(_ instant: Instant?) -> JSONValue { .optional(instant.map(offset.iso8601)) }
        func end(_ place: PlaceID, _ window: TimeWindow?) throws -> JSONValue {
            .object([
                ("place", .string(place.rawValue)), ("name", .string(try placeName(place))),
                ("earliest", time(window?.earliest)), ("latest", time(window?.latest)),
            ])
        }
        return .object([
            ("id", .int(trip.id?.rawValue ?? 0)),
            ("status", .string(trip.status.rawValue)),
            ("direction", .string(trip.direction.rawValue)),
            ("serviceDate", .string(trip.serviceDate.iso)),
            ("patient", .object([("id", .string(trip.patient.rawValue)), ("name", .string(try patientName(trip.patient)))])),
            ("pickup", try end(trip.pickupPlace, trip.pickupWindow)),
            ("dropoff", try end(trip.dropoffPlace, trip.dropoffWindow)),
            ("appointment", time(trip.appointment)),
            ("requestedPickup", time(trip.requestedPickup)),
            ("willCall", .bool(trip.willCall)),
            ("mobility", .string(trip.mobility.rawValue)),
            ("companions", .int(trip.companions)),
            ("funding", .string(trip.funding.rawValue)),
            ("directMinutes", .int((trip.directSeconds + 59) / 60)),
            ("maxRideMinutes", .int(trip.maxRideSeconds / 60)),
            ("linkedTrip", .optional(trip.linkedTrip?.rawValue)),
            ("standingOrder", .optional(trip.standingOrder?.rawValue)),
            ("cancellationCode", .optional(trip.cancellationCode?.rawValue)),
            ("statusReason", .optional(trip.statusReason)),
            ("notes", .optional(trip.notes)),
            ("createdAt", .string(offset.iso8601(trip.createdAt))),
            ("promisedAt", .optional(trip.promisedAt.map(offset.iso8601))),
            ("expectedReady", trip.releaseWindow.map { window in
                .object([("earliest", .string(offset.iso8601(window.earliest))), ("latest", .string(offset.iso8601(window.latest)))])
            } ?? .null),
        ])
    }

    /// A patient with their upcoming trips as JSON (docs/cli.md, "Patient object").
    mutating func patientJSON(_ patient: Patient, upcoming: [Trip]) throws -> JSONValue {
        let village = try place(patient.village)
        let home = try place(patient.home)
        return .object([
            ("id", .string(patient.id.rawValue)),
            ("name", .string(patient.name)),
            ("phone", .string(patient.phone)),
            ("mobility", .string(patient.mobility.rawValue)),
            ("companions", .int(patient.companions)),
            ("entitlement", .string(patient.entitlement.rawValue)),
            ("registeredOn", .string(patient.registeredOn.iso)),
            ("village", .object([
                ("place", .string(patient.village.rawValue)), ("name", .optional(village?.name)),
                ("moo", .optional(village?.moo.map(Int64.init))),
            ])),
            ("home", .object([
                ("place", .string(patient.home.rawValue)),
                ("latitude", home.map { .double($0.coordinate.latitude) } ?? .null),
                ("longitude", home.map { .double($0.coordinate.longitude) } ?? .null),
            ])),
            ("address", .optional(patient.address)),
            ("notes", .optional(patient.notes)),
            ("upcomingTrips", .array(try upcoming.map { try tripJSON($0) })),
        ])
    }
}
