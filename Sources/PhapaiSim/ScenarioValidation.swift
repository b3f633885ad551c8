import Foundation
import PhapaiCore

extension Scenario {
    /// Refuses, before anything runs, what cannot be simulated and what would be simulated
    /// otherwise than written (a request dropped, an appointment moved, a share rescaled): every
    /// error names the field by its path in the scenario (`tambons[0].fleet[1].breakTime`) and the
    /// rule, in plain English. A scenario that passes builds its world of areas without error.
    public func validate() throws {
        var check = ScenarioCheck()
        try check.rule(
            !name.isEmpty && name.count <= 64 && !name.contains("/") && !name.hasPrefix(".") && !name.unicodeScalars.contains(where: TextRules.isControl),
            "name", "must be 1-64 characters without '/', not starting with '.' (it names the output folder)")
        _ = try LocalDate.parse(startDate, field: "startDate")
        _ = try Weekday.parseSet(serviceDays ?? "mon-fri", field: "serviceDays")
        try check.rule(holidays.map { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? true, "holidays", "names a calendar file, or none")
        _ = try TravelModel(circuityFactor: travel.circuityFactor, averageSpeedKmh: travel.averageSpeedKmh)
        try check.rule(travel.matrix.map { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? true, "travel.matrix", "names a matrix file")
        try check.rule(travel.matrixFormat.map { ["csv", "osrm"].contains($0) } ?? true, "travel.matrixFormat", "is csv or osrm")
        try check.rule(travel.matrix != nil || (travel.matrixFormat == nil && travel.matrixPlaces == nil), "travel.matrix",
                       "matrixFormat and matrixPlaces go with a matrix file")
        try check.rule(travel.matrixPlaces.map { !$0.isEmpty } ?? true, "travel.matrixPlaces", "lists the place ids of the table's rows")
        try check.at("policies") { try Policies.defaults.merging(policies).validate() }

        let clinics = try check.hospitals(hospitals)
        try check.rule((tambons?.isEmpty == false) != (generatedTambons != nil), "tambons",
                       "give either tambons (at least one) or generatedTambons, not both")
        for (index, tambon) in (tambons ?? []).enumerated() { try check.tambon(tambon, path: "tambons[\(index)]") }
        if let generated = generatedTambons { try check.generated(generated) }
        // Hospitals after the tambons: a hospital's code may not be one the simulator gives a village or a depot.
        for (index, hospital) in hospitals.enumerated() {
            try check.unique(hospital.id, as: "place code", in: &check.places, path: "hospitals[\(index)].id")
        }

        var types: [String: String] = [:]
        for (index, demand) in demand.enumerated() {
            try check.demand(demand, path: "demand[\(index)]", clinics: clinics)
            // Patients are pooled by type: two entries of one type would share (and double) one pool.
            try check.unique(demand.type, as: "patient type", in: &types, path: "demand[\(index)].type")
        }
        try check.patientCodes(tambons ?? [], demand: demand)
        // Every registered patient is a record in memory and in the area's database: a slip of a
        // few digits must be an error, not a machine that runs out of memory.
        let perPerson = demand.reduce(0) { $0 + $1.patientsPer1000 } / 1000
        if let generated = generatedTambons {
            let most = Double(generated.count) * Double(generated.villagesPerTambon[1]) * Double(generated.populationPerVillage[1]) * perPerson
            try check.rule(most <= Double(ScenarioCheck.maxPatients), "generatedTambons",
                           "may register up to \(Int(most.rounded())) patients (count x most villages x most people x patients per person); "
                            + "at most \(ScenarioCheck.maxPatients) can be simulated")
        } else {
            let registered = (tambons ?? []).flatMap(\.villages).reduce(0) { total, village in
                total + demand.reduce(0) { $0 + $1.patients(population: village.population) }
            }
            try check.rule(registered <= ScenarioCheck.maxPatients, "tambons",
                           "register \(registered) patients; at most \(ScenarioCheck.maxPatients) can be simulated")
        }

        for (field, rate) in [("noShowRate", behaviour.noShowRate), ("advanceCancellationRate", behaviour.advanceCancellationRate),
                              ("sameDayCancellationRate", behaviour.sameDayCancellationRate)] {
            try check.rule((0...1).contains(rate), "behaviour.\(field)", "a rate lies in 0...1, not \(ScenarioCheck.number(rate))")
        }
        try check.range(behaviour.travelTimeNoise, 0...1, "behaviour.travelTimeNoise")
        // An exponential draw of this mean becomes whole minutes: bounded so it always fits.
        try check.range(behaviour.clinicDelayMinutes, 0...600, "behaviour.clinicDelayMinutes")

        let variants = fleets ?? ["separate"]
        try check.rule(!variants.isEmpty, "fleets", "name at least one of separate, pooled")
        for (index, variant) in variants.enumerated() {
            try check.rule(["separate", "pooled"].contains(variant), "fleets[\(index)]", "is separate or pooled, not '\(variant)'")
        }
        try check.rule(Set(variants).count == variants.count, "fleets", "name each of separate, pooled at most once")
        // A day is planned on the area's shifts: an area without a vehicle cannot be simulated.
        func vehicles(_ fleet: [Scenario.VehicleKind]) -> Int { fleet.reduce(0) { $0 + ($1.count ?? 1) } }
        if let generated = generatedTambons {
            try check.rule(vehicles(generated.fleet) > 0, "generatedTambons.fleet", "has no vehicles; each tambon gets this fleet and needs at least one")
        } else if variants.contains("separate") {
            for (index, tambon) in (tambons ?? []).enumerated() {
                try check.rule(vehicles(tambon.fleet) > 0, "tambons[\(index)].fleet", "has no vehicles; a tambon simulated with its own fleet (fleets: separate) needs at least one")
            }
        } else {
            try check.rule((tambons ?? []).contains { vehicles($0.fleet) > 0 }, "tambons", "no tambon has a vehicle; the pooled fleet needs at least one")
        }
        if let planIterations { try check.range(planIterations, 1...1_000_000, "planIterations") }

        if let fixed = fixedRequests, !fixed.isEmpty {
            try check.rule(tambons != nil, "fixedRequests", "need tambons written out: generated villages have no codes to name")
            for (index, request) in fixed.enumerated() {
                try check.fixedRequest(request, path: "fixedRequests[\(index)]", scenario: self, clinics: clinics)
            }
        }
    }
}

/// The state of one ``Scenario/validate()``: the ids seen so far (for duplicates) and the rules.
struct ScenarioCheck {
    /// Place codes as the simulator makes them (`TAMBON-DEPOT`, `TAMBON-VILLAGE`, hospital ids), with where each came from.
    var places: [String: String] = [:]
    var tambonIDs: [String: String] = [:]
    var villageIDs: [String: String] = [:]
    /// Each written village by id, with its population.
    var villages: [String: Scenario.Village] = [:]

    /// Names and places are written into longer names and codes (`โรงจอดรถ NAME`, `NAME 12`).
    static let nameLength = 60
    static let maxPopulation = 1_000_000
    static let maxVehiclesPerKind = 100
    /// Ten times a province of a hundred tambons (simulations/province.json registers about 19,000).
    static let maxPatients = 200_000

    /// A number as people write it: `1.4`, `-1`, `0.8`.
    static func number(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(format: "%g", value)
    }

    func rule(_ ok: Bool, _ field: String, _ message: @autoclosure () -> String, keyword: String = "INVALID_SCENARIO") throws {
        if !ok { throw PhapaiError.invalid(field, keyword, message()) }
    }

    func range(_ value: Int, _ bounds: ClosedRange<Int>, _ field: String, _ why: String = "") throws {
        try rule(bounds.contains(value), field, "must be between \(bounds.lowerBound) and \(bounds.upperBound)\(why), not \(value)")
    }

    func range(_ value: Double, _ bounds: ClosedRange<Double>, _ field: String, _ why: String = "") throws {
        try rule(value.isFinite && bounds.contains(value), field,
                 "must be between \(Self.number(bounds.lowerBound)) and \(Self.number(bounds.upperBound))\(why), not \(Self.number(value))")
    }

    /// Runs `body`, naming the field of its error by its path in the scenario (`seats` becomes
    /// `tambons[0].fleet[1].seats`): the rules of PhapaiCore's types, said where they were broken.
    func at<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as PhapaiError {
            error.field = error.field.map { "\(path).\($0)" } ?? path
            throw error
        }
    }

    /// `id` (at `path`, such as `hospitals[2].id`) is new among `seen`; records the entry it
    /// belongs to (`hospitals[2]`) for the message of a later duplicate.
    func unique(_ id: String, as kind: String, in seen: inout [String: String], path: String) throws {
        if let first = seen[id] { throw PhapaiError.invalid(path, "DUPLICATE_ID", "duplicate \(kind) '\(id)' (also \(first))") }
        seen[id] = path.range(of: ".", options: .backwards).map { String(path[..<$0.lowerBound]) } ?? path
    }

    func code(_ id: String, _ path: String, maxLength: Int = 32, _ why: String = "") throws {
        try rule(PlaceID.isValidCode(id) && id.utf8.count <= maxLength, path,
                 "'\(id)' must be 1-\(maxLength) characters of letters A-Z, digits, '_', '-' or '.', starting with a letter or digit\(why)",
                 keyword: "INVALID_ID")
    }

    func coordinate(_ lat: Double, _ lon: Double, _ path: String) throws {
        try range(lat, -90...90, "\(path).lat", " degrees")
        try range(lon, -180...180, "\(path).lon", " degrees")
    }

    func name(_ text: String, _ path: String, maxLength: Int = ScenarioCheck.nameLength) throws {
        _ = try TextRules.line(text, field: path, maxLength: maxLength)
    }

    /// `HH:MM-HH:MM` that ends after it starts.
    func span(_ text: String, _ path: String) throws -> (LocalTime, LocalTime) {
        try World.span(text, field: path)
    }

    // MARK: the parts

    /// A hospital's clinic hours and level.
    struct Clinic {
        var opens: LocalTime
        var closes: LocalTime
        var community: Bool
    }

    /// Each hospital's clinic hours and level, by id.
    mutating func hospitals(_ hospitals: [Scenario.Hospital]) throws -> [String: Clinic] {
        try rule(!hospitals.isEmpty, "hospitals", "at least one hospital")
        var clinics: [String: Clinic] = [:]
        var seen: [String: String] = [:]
        for (index, hospital) in hospitals.enumerated() {
            let path = "hospitals[\(index)]"
            try code(hospital.id, "\(path).id")
            try unique(hospital.id, as: "hospital id", in: &seen, path: "\(path).id")
            try name(hospital.name, "\(path).name", maxLength: TextRules.Limit.name)
            try coordinate(hospital.lat, hospital.lon, path)
            let opens = try LocalTime.parse(hospital.opens, field: "\(path).opens")
            let closes = try LocalTime.parse(hospital.closes, field: "\(path).closes")
            try rule(opens < closes, "\(path).closes", "a clinic closes after it opens (\(opens)-\(closes))", keyword: "TIME_ORDER")
            try rule(hospital.level == nil || ["community", "provincial"].contains(hospital.level!), "\(path).level",
                     "is community or provincial, not '\(hospital.level ?? "")'")
            clinics[hospital.id] = Clinic(opens: opens, closes: closes, community: hospital.level == "community")
        }
        return clinics
    }

    mutating func tambon(_ tambon: Scenario.Tambon, path: String) throws {
        // The simulator appends -DEPOT and vehicle numbers (-V12) to a tambon's id to make codes.
        try code(tambon.id, "\(path).id", maxLength: 26, " (the simulator appends -DEPOT and vehicle numbers)")
        try rule(tambon.id != "pooled", "\(path).id", "'pooled' names the pooled fleet; choose another id")
        try unique(tambon.id, as: "tambon id", in: &tambonIDs, path: "\(path).id")
        try name(tambon.name, "\(path).name")
        try coordinate(tambon.depot.lat, tambon.depot.lon, "\(path).depot")
        try unique("\(tambon.id)-DEPOT", as: "place code", in: &places, path: "\(path).id")
        try rule(!tambon.villages.isEmpty, "\(path).villages", "a tambon has at least one village")
        for (index, village) in tambon.villages.enumerated() {
            let at = "\(path).villages[\(index)]"
            try code(village.id, "\(at).id")
            // Fixed requests name a village by its id alone: ids are the scenario's, not the tambon's.
            try unique(village.id, as: "village id", in: &villageIDs, path: "\(at).id")
            try code("\(tambon.id)-\(village.id)", "\(at).id", " (the tambon's id, '-' and the village's id make its place code)")
            try unique("\(tambon.id)-\(village.id)", as: "place code", in: &places, path: "\(at).id")
            try name(village.name, "\(at).name")
            try range(village.moo, 1...99, "\(at).moo", " (the หมู่ที่ number)")
            try coordinate(village.lat, village.lon, at)
            try range(village.population, 0...Self.maxPopulation, "\(at).population")
            villages[village.id] = village
        }
        for (index, kind) in tambon.fleet.enumerated() { try vehicleKind(kind, path: "\(path).fleet[\(index)]") }
    }

    mutating func generated(_ spec: Scenario.GeneratedTambons) throws {
        let path = "generatedTambons"
        try range(spec.count, 1...999, "\(path).count")
        // Villages lie up to radiusKm + 5 km from the centre; far from the equator a degree of
        // longitude shrinks, so the region is kept where its coordinates stay valid.
        try range(spec.centre.lat, -60...60, "\(path).centre.lat", " degrees (generated regions stay away from the poles)")
        try range(spec.centre.lon, -170...170, "\(path).centre.lon", " degrees")
        try range(spec.radiusKm, 0...500, "\(path).radiusKm")
        for (field, values, bounds) in [("villagesPerTambon", spec.villagesPerTambon, 1...99), ("populationPerVillage", spec.populationPerVillage, 0...Self.maxPopulation)] {
            try rule(values.count == 2 && bounds.contains(values[0]) && values[0] <= values[1] && bounds.contains(values[1]), "\(path).\(field)",
                     "is [min, max] with \(bounds.lowerBound) <= min <= max <= \(bounds.upperBound), not [\(values.map(String.init).joined(separator: ", "))]")
        }
        for (index, kind) in spec.fleet.enumerated() { try vehicleKind(kind, path: "\(path).fleet[\(index)]") }
        // The codes generated tambons get, so that no hospital takes one.
        for number in 1...spec.count {
            let tambon = String(format: "T%03d", number)
            places["\(tambon)-DEPOT"] = "the depot of generated tambon \(tambon)"
            for moo in 1...spec.villagesPerTambon[1] { places[String(format: "%@-V%02d", tambon, moo)] = "a village of generated tambon \(tambon)" }
        }
    }

    func vehicleKind(_ kind: Scenario.VehicleKind, path: String) throws {
        try name(kind.name, "\(path).name")
        try range(kind.count ?? 1, 0...Self.maxVehiclesPerKind, "\(path).count")
        try at(path) {
            // The rules of a real vehicle: PhapaiCore's own, with the scenario's field names.
            let capacity = try Capacity(seats: kind.seats, wheelchairs: kind.wheelchairs ?? 0, stretchers: kind.stretchers ?? 0,
                                        seatsPerFoldedWheelchair: kind.foldSeats ?? 0)
            _ = try Vehicle(id: VehicleID(unchecked: "V"), area: AreaID(unchecked: "A"), name: "V", plate: nil, capacity: capacity,
                            depot: PlaceID(unchecked: "D"), costPerKm: kind.costPerKm)
        }
        for (field, cost) in [("costPerDay", kind.costPerDay), ("driverCostPerDay", kind.driverCostPerDay)] {
            if let cost { try rule(cost.isFinite && cost >= 0 && cost <= 1_000_000, "\(path).\(field)", "baht a day lie in 0...1000000, not \(Self.number(cost))") }
        }
        let shift = try span(kind.shift, "\(path).shift")
        if let text = kind.breakTime {
            let pause = try span(text, "\(path).breakTime")
            try rule(shift.0 <= pause.0 && pause.1 <= shift.1, "\(path).breakTime", "the break \(text) must lie inside the shift \(kind.shift)",
                     keyword: "TIME_ORDER")
        }
    }

    /// Weights of a draw: none negative, some positive.
    func weights(_ weights: [(key: String, value: Double)], _ path: String) throws {
        for (key, weight) in weights {
            try rule(weight.isFinite && weight >= 0, "\(path)[\"\(key)\"]", "a weight is not negative, not \(Self.number(weight))")
        }
        try rule(weights.reduce(0) { $0 + $1.value } > 0, path, "the weights must have a positive sum")
    }

    func demand(_ demand: Scenario.Demand, path: String, clinics: [String: Clinic]) throws {
        try name(demand.type, "\(path).type")
        try range(demand.patientsPer1000, 0...1000, "\(path).patientsPer1000")
        try range(demand.advancePerPatientPerWeek, 0...7, "\(path).advancePerPatientPerWeek", " (a patient travels at most once a day)")
        try range(demand.sameDayPerPatientPerWeek, 0...7, "\(path).sameDayPerPatientPerWeek", " (a patient travels at most once a day)")
        for (field, share) in [("returnShare", demand.returnShare), ("willCallShare", demand.willCallShare)] {
            try rule((0...1).contains(share), "\(path).\(field)", "a share lies in 0...1, not \(Self.number(share))")
        }
        try range(demand.clinicMinutes, 0...720, "\(path).clinicMinutes")

        let probabilities = demand.companions
        try rule(!probabilities.isEmpty, "\(path).companions", "gives the probabilities of 0, 1, 2, ... companions")
        try rule(probabilities.count <= Patient.maxCompanions + 1, "\(path).companions",
                 "gives \(probabilities.count) probabilities; a patient brings at most \(Patient.maxCompanions) companions")
        for (index, probability) in probabilities.enumerated() {
            try rule((0...1).contains(probability), "\(path).companions[\(index)]", "a probability lies in 0...1, not \(Self.number(probability))")
        }
        let total = probabilities.reduce(0, +)
        try rule(abs(total - 1) <= 1e-6, "\(path).companions", "probabilities of 0, 1, 2, ... companions must sum to 1, not \(Self.number(total))")

        for key in demand.mobility.keys.sorted() {
            try rule(Mobility(rawValue: key) != nil, "\(path).mobility[\"\(key)\"]", "is ambulatory, wheelchair or stretcher")
        }
        try weights(demand.mobility.sorted { $0.key < $1.key }, "\(path).mobility")

        try rule(!demand.hospitals.isEmpty, "\(path).hospitals", "gives the weights of the hospitals patients go to")
        for key in demand.hospitals.keys.sorted() where key != "nearest" && clinics[key] == nil {
            throw PhapaiError.notFound("\(path).hospitals[\"\(key)\"]", "UNKNOWN_HOSPITAL",
                                       "no hospital '\(key)' in hospitals (\(clinics.keys.sorted().joined(separator: ", "))), nor nearest")
        }
        try weights(demand.hospitals.sorted { $0.key < $1.key }, "\(path).hospitals")
        let community = clinics.keys.sorted().filter { clinics[$0]!.community }
        try rule((demand.hospitals["nearest"] ?? 0) == 0 || !community.isEmpty, "\(path).hospitals[\"nearest\"]",
                 "nearest needs a hospital with level community")

        try rule(!demand.appointmentHours.isEmpty, "\(path).appointmentHours", "gives the weights of appointment hours")
        for key in demand.appointmentHours.keys.sorted() {
            try rule(Int(key).map { (0..<24).contains($0) } ?? false, "\(path).appointmentHours[\"\(key)\"]", "is an hour 0-23")
        }
        try weights(demand.appointmentHours.sorted { $0.key < $1.key }, "\(path).appointmentHours")
        // Appointments are drawn at :00, :15, :30 and :45 of an hour; one outside its clinic's
        // hours used to be moved to the opening (or last) time without a word.
        let destinations = demand.hospitals.filter { $0.value > 0 }.keys.flatMap { $0 == "nearest" ? community : [$0] }
        for (key, weight) in demand.appointmentHours.sorted(by: { Int($0.key)! < Int($1.key)! }) where weight > 0 {
            let hour = Int(key)!
            for id in Set(destinations).sorted() {
                let clinic = clinics[id]!
                try rule(clinic.opens.minutes <= hour * 60 && (hour + 1) * 60 <= clinic.closes.minutes, "\(path).appointmentHours[\"\(key)\"]",
                         "appointments at \(LocalTime(minutes: hour * 60)!)-\(LocalTime(minutes: hour * 60 + 45)!) fall outside the clinic hours of \(id) "
                            + "(\(clinic.opens)-\(clinic.closes))", keyword: "OUTSIDE_CLINIC_HOURS")
            }
        }
    }

    /// Codes the simulator makes from ids must stay within 32 characters: the patients'
    /// (`TAMBON-VILLAGE-TYPE-NUMBER`) are the longest.
    func patientCodes(_ tambons: [Scenario.Tambon], demand: [Scenario.Demand]) throws {
        for (tambonIndex, tambon) in tambons.enumerated() {
            for (index, village) in tambon.villages.enumerated() {
                let most = demand.map { $0.patients(population: village.population) }.max() ?? 0
                guard most > 0 else { continue }
                let longest = "\(tambon.id)-\(village.id)-\(demand.count - 1)-\(most - 1)"
                try rule(PatientID.isValidCode(longest), "tambons[\(tambonIndex)].villages[\(index)].id",
                         "the tambon's and the village's ids make patient codes such as '\(longest)', longer than 32 characters: shorten them",
                         keyword: "INVALID_ID")
            }
        }
    }

    func fixedRequest(_ request: Scenario.FixedRequest, path: String, scenario: Scenario, clinics: [String: Clinic]) throws {
        try range(request.day, 0...365, "\(path).day", " (service days from the first, 0-based)")
        guard let village = villages[request.village] else {
            throw PhapaiError.notFound("\(path).village", "UNKNOWN_VILLAGE", "no village '\(request.village)' in the scenario's tambons")
        }
        guard let demand = scenario.demand.first(where: { $0.type == request.type }) else {
            throw PhapaiError.notFound("\(path).type", "UNKNOWN_PATIENT_TYPE",
                                       "no patient type '\(request.type)' in demand (\(scenario.demand.map(\.type).joined(separator: ", ")))")
        }
        guard let clinic = clinics[request.hospital] else {
            throw PhapaiError.notFound("\(path).hospital", "UNKNOWN_HOSPITAL",
                                       "no hospital '\(request.hospital)' in hospitals (\(scenario.hospitals.map(\.id).joined(separator: ", ")))")
        }
        // The request goes to the village's first patient of the type: without one it would vanish.
        guard demand.patients(population: village.population) > 0 else {
            throw PhapaiError.notFound("\(path).village", "NO_PATIENT",
                                       "village \(village.id) has no \(demand.type) patient (population \(village.population) x "
                                        + "\(Self.number(demand.patientsPer1000)) per 1,000 rounds to 0)")
        }
        let appointment = try LocalTime.parse(request.appointment, field: "\(path).appointment")
        try rule(clinic.opens <= appointment && appointment < clinic.closes, "\(path).appointment",
                 "\(appointment) falls outside the clinic hours of \(request.hospital) (\(clinic.opens)-\(clinic.closes))", keyword: "OUTSIDE_CLINIC_HOURS")
        if let text = request.returnAt {
            try rule(request.willCall != true, "\(path).returnAt", "give returnAt or willCall, not both")
            let back = try LocalTime.parse(text, field: "\(path).returnAt")
            try rule(appointment < back, "\(path).returnAt", "the return at \(back) must come after the appointment at \(appointment)", keyword: "TIME_ORDER")
        }
        if let companions = request.companions { try range(companions, 0...Patient.maxCompanions, "\(path).companions") }
    }
}
