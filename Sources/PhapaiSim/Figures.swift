import Foundation
import PhapaiApp
import PhapaiCore

/// The language of a report's labels: Thai for the people who read it, English on request.
public enum ReportLanguage: String, Sendable {
    case thai = "th"
    case english = "en"
}

/// What a KPI means: its key (the CSV's `metric`), its unit, and its name and definition in
/// Thai and English. The figures themselves are numbers; every text is a rendering of them.
struct KPIDefinition: Sendable {
    let key: String
    let decimals: Int
    let thai: String
    let english: String
    let unitThai: String
    let unitEnglish: String
    let thaiDefinition: String
    let englishDefinition: String

    func name(_ language: ReportLanguage) -> String { language == .thai ? thai : english }
    func unit(_ language: ReportLanguage) -> String { language == .thai ? unitThai : unitEnglish }
    func definition(_ language: ReportLanguage) -> String { language == .thai ? thaiDefinition : englishDefinition }

    /// The figure as text with the KPI's decimals; empty when there is none.
    func format(_ value: Double?) -> String { KPIs.format(value, decimals) }

    /// Every KPI, in the order of kpis.csv and the report.
    static let all: [KPIDefinition] = [
        .init(key: "days", decimals: 0, thai: "วันให้บริการ", english: "Service days", unitThai: "วัน", unitEnglish: "days",
              thaiDefinition: "จำนวนวันให้บริการที่จำลอง (ไม่นับวันหยุดราชการ)", englishDefinition: "Service days simulated (holidays excluded)"),
        .init(key: "holidays_skipped", decimals: 0, thai: "วันหยุดราชการที่ข้าม", english: "Public holidays skipped", unitThai: "วัน",
              unitEnglish: "days", thaiDefinition: "วันให้บริการตามปกติที่ตรงกับวันหยุดในปฏิทิน (config/holidays-th.csv) จึงไม่ได้จำลอง",
              englishDefinition: "Weekdays of service that fell on a holiday of the calendar (config/holidays-th.csv), not simulated"),
        .init(key: "areas", decimals: 0, thai: "พื้นที่วางแผน", english: "Planning areas", unitThai: "พื้นที่", unitEnglish: "areas",
              thaiDefinition: "พื้นที่ที่วางแผนเดินรถแยกกัน: ตำบลที่มีรถของตนเอง หรือกลุ่มตำบลที่ใช้รถร่วมกัน",
              englishDefinition: "Areas planned separately: a tambon with its own fleet, or tambons pooling theirs"),
        .init(key: "vehicles", decimals: 0, thai: "รถ", english: "Vehicles", unitThai: "คัน", unitEnglish: "vehicles",
              thaiDefinition: "รถทั้งหมดในทุกพื้นที่", englishDefinition: "Vehicles in all areas"),
        .init(key: "patients_registered", decimals: 0, thai: "ผู้ป่วยที่ลงทะเบียน", english: "Registered patients", unitThai: "คน",
              unitEnglish: "patients", thaiDefinition: "ผู้ป่วยที่มีสิทธิ์ใช้บริการในพื้นที่", englishDefinition: "Patients registered for the service"),
        .init(key: "trips_requested", decimals: 0, thai: "เที่ยวที่ขอ", english: "Trips requested", unitThai: "เที่ยว", unitEnglish: "legs",
              thaiDefinition: "เที่ยวรถที่จองหรือขอ (ไปและกลับนับเป็นสองเที่ยว) รวมที่ถูกปฏิเสธ",
              englishDefinition: "Trip legs asked for (a booking with a return is two), refused ones included"),
        .init(key: "trips_served", decimals: 0, thai: "เที่ยวที่ให้บริการ", english: "Trips served", unitThai: "เที่ยว", unitEnglish: "legs",
              thaiDefinition: "เที่ยวที่ส่งผู้ป่วยถึงปลายทางแล้ว", englishDefinition: "Legs dropped off"),
        .init(key: "trips_denied", decimals: 0, thai: "เที่ยวที่ถูกปฏิเสธหรือไม่มีรถรับ", english: "Trips denied", unitThai: "เที่ยว", unitEnglish: "legs",
              thaiDefinition: "ถูกปฏิเสธตอนจอง หรือจนหมดวันไม่มีรถไปรับ รวมขากลับของการเดินทางที่ขาไปไม่มีรถรับ (ไม่นับที่ผู้ป่วยยกเลิกเองหรือไม่มา)",
              englishDefinition: "Legs refused at booking, or left without a vehicle at the end of the day, with the return of a journey whose outbound had none (not the patient's doing)"),
        .init(key: "trips_cancelled", decimals: 0, thai: "เที่ยวที่ยกเลิก", english: "Trips cancelled", unitThai: "เที่ยว", unitEnglish: "legs",
              thaiDefinition: "ผู้ป่วยยกเลิก หรือขากลับที่ถูกยกเลิกเพราะผู้ป่วยไม่ได้เดินทางขาไป",
              englishDefinition: "Cancelled by the patient, or a return closed because the patient did not travel out"),
        .init(key: "trips_no_show", decimals: 0, thai: "ผู้ป่วยไม่มาขึ้นรถ", english: "No-shows", unitThai: "เที่ยว", unitEnglish: "legs",
              thaiDefinition: "รถไปถึงแล้วแต่ผู้ป่วยไม่มาขึ้นรถ", englishDefinition: "The vehicle came and the patient did not"),
        .init(key: "served_share_pct", decimals: 1, thai: "สัดส่วนที่ได้รับบริการ", english: "Served share", unitThai: "%", unitEnglish: "%",
              thaiDefinition: "ให้บริการ ÷ (ให้บริการ + ไม่ได้รับบริการ)", englishDefinition: "Served ÷ (served + denied)"),
        .init(key: "pickup_on_time_pct", decimals: 1, thai: "รับภายในช่วงเวลา", english: "Picked up on time", unitThai: "%", unitEnglish: "%",
              thaiDefinition: "ร้อยละของเที่ยวที่ให้บริการซึ่งรับได้ก่อนสิ้นสุดช่วงเวลารับ", englishDefinition: "Served legs picked up by the end of their pickup window"),
        .init(key: "appointment_on_time_pct", decimals: 1, thai: "ถึงทันนัด", english: "At the appointment on time", unitThai: "%",
              unitEnglish: "%", thaiDefinition: "ร้อยละของขาไปที่ส่งถึงโรงพยาบาลก่อนเวลานัด",
              englishDefinition: "Served outbound legs dropped off by the appointment time"),
        .init(key: "pickup_delay_mean_min", decimals: 1, thai: "เวลารอรถเฉลี่ย", english: "Pickup delay, mean", unitThai: "นาที",
              unitEnglish: "min", thaiDefinition: "นาทีจากต้นช่วงเวลารับถึงเวลาที่รับจริง (0 ถ้ารับก่อน); ขากลับแบบโทรเรียกนับจากเวลาที่คลินิกโทร",
              englishDefinition: "Minutes from the start of the pickup window to the pickup (0 if earlier); will-call returns from the clinic's call"),
        .init(key: "pickup_delay_p95_min", decimals: 1, thai: "เวลารอรถ เปอร์เซ็นไทล์ที่ 95", english: "Pickup delay, 95th percentile",
              unitThai: "นาที", unitEnglish: "min", thaiDefinition: "95 ใน 100 เที่ยวรอไม่เกินนี้",
              englishDefinition: "95 legs in 100 waited no longer (nearest rank)"),
        .init(key: "return_wait_mean_min", decimals: 1, thai: "รอขากลับเฉลี่ย (โทรเรียก)", english: "Will-call return wait, mean",
              unitThai: "นาที", unitEnglish: "min", thaiDefinition: "นาทีจากเวลาที่คลินิกโทรถึงเวลาที่รับ",
              englishDefinition: "Minutes from the clinic's call to the pickup"),
        .init(key: "return_wait_p95_min", decimals: 1, thai: "รอขากลับ เปอร์เซ็นไทล์ที่ 95", english: "Will-call return wait, 95th percentile",
              unitThai: "นาที", unitEnglish: "min", thaiDefinition: "95 ใน 100 ขากลับแบบโทรเรียกรอไม่เกินนี้",
              englishDefinition: "95 will-call returns in 100 waited no longer"),
        .init(key: "ride_mean_min", decimals: 1, thai: "เวลาบนรถเฉลี่ย", english: "Ride, mean", unitThai: "นาที", unitEnglish: "min",
              thaiDefinition: "จากรับถึงส่ง", englishDefinition: "From pickup to drop-off"),
        .init(key: "ride_ratio_mean", decimals: 3, thai: "เวลาบนรถต่อเวลาเดินทางตรง เฉลี่ย", english: "Ride over direct time, mean",
              unitThai: "เท่า", unitEnglish: "×", thaiDefinition: "เวลาบนรถ ÷ เวลาขับตรงจากที่รับถึงที่ส่ง",
              englishDefinition: "Ride time ÷ direct driving time"),
        .init(key: "ride_ratio_p95", decimals: 3, thai: "เวลาบนรถต่อเวลาเดินทางตรง เปอร์เซ็นไทล์ที่ 95", english: "Ride over direct time, 95th percentile",
              unitThai: "เท่า", unitEnglish: "×", thaiDefinition: "95 ใน 100 เที่ยวมีอัตราส่วนไม่เกินค่านี้", englishDefinition: "95 legs in 100 no more"),
        .init(key: "vehicle_hours", decimals: 2, thai: "ชั่วโมงรถออกบริการ", english: "Vehicle hours", unitThai: "ชม.", unitEnglish: "h",
              thaiDefinition: "จากออกจากที่จอดรถถึงกลับ รวมทุกคันทุกวัน", englishDefinition: "Depot to depot, all vehicles, all days"),
        .init(key: "kilometres", decimals: 1, thai: "ระยะทางรวม", english: "Distance", unitThai: "กม.", unitEnglish: "km",
              thaiDefinition: "ระยะทางถนนที่ขับทั้งหมด", englishDefinition: "Road kilometres driven"),
        .init(key: "loaded_km", decimals: 1, thai: "ระยะทางที่มีผู้ป่วยบนรถ", english: "Loaded distance", unitThai: "กม.", unitEnglish: "km",
              thaiDefinition: "ช่วงที่มีผู้ป่วยอย่างน้อยหนึ่งคนบนรถ", englishDefinition: "Driven with at least one patient aboard"),
        .init(key: "empty_km", decimals: 1, thai: "ระยะทางรถเปล่า", english: "Empty distance", unitThai: "กม.", unitEnglish: "km",
              thaiDefinition: "ช่วงที่ไม่มีผู้ป่วยบนรถ (ไปรับ และกลับที่จอด)", englishDefinition: "Driven with nobody aboard (to pickups, back to the depot)"),
        .init(key: "driving_cost_baht", decimals: 0, thai: "ค่าใช้จ่ายตามระยะทาง", english: "Distance cost", unitThai: "บาท",
              unitEnglish: "baht", thaiDefinition: "กม. × ค่าใช้จ่ายต่อ กม. ของรถแต่ละคัน", englishDefinition: "Kilometres × each vehicle's cost per km"),
        .init(key: "day_cost_baht", decimals: 0, thai: "ค่ารถและค่าคนขับรายวัน", english: "Vehicle and driver day costs",
              unitThai: "บาท", unitEnglish: "baht", thaiDefinition: "จำนวนวันที่รถออกให้บริการ × (ค่ารถต่อวัน + ค่าจ้างคนขับต่อวัน) ตามสถานการณ์จำลอง",
              englishDefinition: "Days a vehicle was out × (its cost per day + its driver's), from the scenario"),
        .init(key: "cost_per_day_baht", decimals: 0, thai: "ค่าใช้จ่ายต่อวัน", english: "Cost per day", unitThai: "บาท/วัน",
              unitEnglish: "baht/day", thaiDefinition: "(ตามระยะทาง + รายวัน) ÷ วันให้บริการ", englishDefinition: "(Distance + day costs) ÷ service days"),
        .init(key: "cost_per_trip_baht", decimals: 1, thai: "ค่าใช้จ่ายต่อเที่ยวที่ให้บริการ", english: "Cost per trip served",
              unitThai: "บาท/เที่ยว", unitEnglish: "baht/leg", thaiDefinition: "(ตามระยะทาง + รายวัน) ÷ เที่ยวที่ให้บริการ",
              englishDefinition: "(Distance + day costs) ÷ legs served"),
        .init(key: "passengers_per_vehicle_hour", decimals: 2, thai: "ผู้โดยสารต่อชั่วโมงรถ", english: "Passengers per vehicle hour",
              unitThai: "คน/ชม.", unitEnglish: "per h", thaiDefinition: "ผู้ป่วยและผู้ติดตามที่ส่งถึง ÷ ชั่วโมงรถ",
              englishDefinition: "Patients and companions dropped off ÷ vehicle hours"),
        .init(key: "village_served_share_min_pct", decimals: 1, thai: "สัดส่วนที่ได้รับบริการต่ำสุดรายหมู่บ้าน", english: "Lowest village served share",
              unitThai: "%", unitEnglish: "%", thaiDefinition: "สัดส่วนที่ได้รับบริการของหมู่บ้านที่ต่ำที่สุด (เฉพาะหมู่บ้านที่มีการขอ)",
              englishDefinition: "The lowest served share of a village with requests"),
        .init(key: "stranded_patients", decimals: 0, thai: "ผู้ป่วยตกค้าง", english: "Stranded patients", unitThai: "คน",
              unitEnglish: "patients", thaiDefinition: "ส่งถึงโรงพยาบาลแล้วแต่ไม่ได้รับกลับ โดยไม่ได้เกิดจากผู้ป่วย (ควรเป็น 0)",
              englishDefinition: "Taken to hospital and not brought back, not by their doing (should be 0)"),
        .init(key: "promises_broken", decimals: 0, thai: "ผิดนัดรับ", english: "Promises broken", unitThai: "เที่ยว", unitEnglish: "legs",
              thaiDefinition: "ไม่ได้ไปรับ หรือไปรับนอกช่วงเวลาที่แจ้งไว้เกิน 5 นาที (ไม่นับที่เกิดจากผู้ป่วย)",
              englishDefinition: "Not served, or picked up over 5 minutes outside the window told (not the patient's doing)"),
        .init(key: "promises_broken_unannounced", decimals: 0, thai: "ผิดนัดรับโดยไม่ได้แจ้ง", english: "Promises broken unannounced",
              unitThai: "เที่ยว", unitEnglish: "legs", thaiDefinition: "ผิดนัดที่ระบบไม่ได้แจ้งเจ้าหน้าที่ทันทีที่เกิด (ควรเป็น 0)",
              englishDefinition: "Broken with no reply of the service telling it (should be 0)"),
        .init(key: "journeys_dropped", decimals: 0, thai: "การเดินทางที่หลุดจากแผน", english: "Journeys dropped", unitThai: "ครั้ง",
              unitEnglish: "journeys", thaiDefinition: "จองไว้แล้วแต่ขาไปไม่ได้ให้บริการ โดยไม่ได้เกิดจากผู้ป่วย",
              englishDefinition: "Booked journeys whose outbound was not served, not by the patient's doing"),
        .init(key: "simulation_surprises", decimals: 0, thai: "เหตุไม่คาดคิดในการจำลอง", english: "Simulation surprises", unitThai: "ครั้ง",
              unitEnglish: "calls", thaiDefinition: "คำสั่งที่การจำลองคาดว่าจะสำเร็จแต่ถูกปฏิเสธ (ควรเป็น 0)",
              englishDefinition: "Service calls expected to succeed that were refused (should be 0)"),
    ]

    static let byKey: [String: KPIDefinition] = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })
}

/// Means and 95% intervals over replications (Student's t, two-sided).
enum Statistics {
    /// The 97.5th percentile of Student's t with `df` degrees of freedom.
    static func t975(_ df: Int) -> Double {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                               2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        if df >= 1 && df <= table.count { return table[df - 1] }
        // Beyond 30 degrees of freedom, the normal quantile with the first correction term.
        let z = 1.959964
        return z + (z * z * z + z) / (4 * Double(df))
    }

    /// A mean with the half-width of its 95% interval (nil with fewer than two values).
    struct Interval: Sendable, Equatable {
        var mean: Double
        var halfWidth: Double?
        var count: Int
        /// The range the figure cannot leave (a count is never negative, a share never above
        /// 100%): the interval is cut there rather than shown beyond it.
        var floor: Double?
        var ceiling: Double?
        var low: Double? {
            guard let halfWidth else { return nil }
            return Swift.max(mean - halfWidth, floor ?? -Double.infinity)
        }
        var high: Double? {
            guard let halfWidth else { return nil }
            return Swift.min(mean + halfWidth, ceiling ?? Double.infinity)
        }
        /// Whether every replication gave the same figure.
        var isExact: Bool { halfWidth == 0 }

        init(mean: Double, halfWidth: Double?, count: Int, floor: Double? = nil, ceiling: Double? = nil) {
            self.mean = mean
            self.halfWidth = halfWidth
            self.count = count
            self.floor = floor
            self.ceiling = ceiling
        }
    }

    static func interval(_ values: [Double]) -> Interval? {
        guard !values.isEmpty else { return nil }
        let count = values.count
        let mean = values.reduce(0, +) / Double(count)
        guard count > 1 else { return Interval(mean: mean, halfWidth: nil, count: 1) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count - 1)
        return Interval(mean: mean, halfWidth: t975(count - 1) * (variance / Double(count)).squareRoot(), count: count)
    }
}

/// One KPI over the replications of a variant (or the paired difference of two variants).
struct KPISummary: Sendable {
    var definition: KPIDefinition
    var interval: Statistics.Interval?
    /// Trips the figure rests on, per replication on average; nil for counts.
    var basis: Double?
    /// Figures resting on fewer trips than this are marked.
    static let smallSample = 20.0
    var isSmallSample: Bool { basis.map { $0 < KPISummary.smallSample } ?? false }
    /// Decimals to show: a mean of counts over replications gets one, so that a single stranded
    /// patient in ten replications reads 0.1, not 0.
    var decimals: Int {
        guard let interval, definition.decimals == 0, interval.count > 1, !interval.isExact else { return definition.decimals }
        return 1
    }

    /// Every KPI's mean and interval over `replications` (one KPIs per replication).
    static func summarize(_ replications: [KPIs]) -> [KPISummary] {
        KPIDefinition.all.map { definition in
            let values = replications.compactMap { $0.value(definition.key) }
            let bases = replications.compactMap { $0.basis[definition.key] }
            var interval = Statistics.interval(values)
            // Every KPI is a count, a duration, a distance, a cost or a share: none is negative.
            interval?.floor = 0
            if definition.unitEnglish == "%" { interval?.ceiling = 100 }
            return KPISummary(
                definition: definition, interval: interval,
                basis: bases.isEmpty ? nil : Double(bases.reduce(0, +)) / Double(bases.count))
        }
    }

    /// Paired differences `other − base`, replication by replication (common random numbers:
    /// both saw the same patients and requests, so the interval is that of the difference).
    static func differences(_ other: [KPIs], minus base: [KPIs]) -> [KPISummary] {
        KPIDefinition.all.map { definition in
            let values = zip(other, base).compactMap { pair -> Double? in
                guard let a = pair.0.value(definition.key), let b = pair.1.value(definition.key) else { return nil }
                return a - b
            }
            let bases = zip(other, base).compactMap { pair -> Int? in
                guard let a = pair.0.basis[definition.key], let b = pair.1.basis[definition.key] else { return nil }
                return min(a, b)
            }
            return KPISummary(
                definition: definition, interval: Statistics.interval(values),
                basis: bases.isEmpty ? nil : Double(bases.reduce(0, +)) / Double(bases.count))
        }
    }
}

/// Who is served: legs asked, served and denied by one attribute (patient type, mobility,
/// hospital, tambon, village, hour asked for), with the served share's interval over replications.
struct GroupRow: Sendable {
    var key: String
    var label: String
    /// Sums over all replications.
    var requested = 0
    var served = 0
    var denied = 0
    var cancelled = 0
    var delays: [Double] = []
    /// Served share of each replication that had a served or denied leg in the group.
    var shares: [Double] = []
    var replications = 1

    var servedShare: Double? { served + denied == 0 ? nil : Double(served) / Double(served + denied) }
    /// The served share of all legs, with the spread of the replications' shares around it (the
    /// figure is the centre of its own interval).
    var shareInterval: Statistics.Interval? {
        guard shares.count > 1, let share = servedShare, let spread = Statistics.interval(shares) else { return nil }
        return Statistics.Interval(mean: share, halfWidth: spread.halfWidth, count: spread.count, floor: 0, ceiling: 1)
    }
    var p95Delay: Double? { KPIs.percentile(delays, 0.95) }
    /// Legs served or denied per replication: the share rests on these.
    var basis: Double { Double(served + denied) / Double(max(replications, 1)) }
    var isSmallSample: Bool { basis < KPISummary.smallSample }
}

/// The attributes the "who is served" tables group by.
enum GroupDimension: String, CaseIterable, Sendable {
    case type, mobility, hospital, tambon, village, hour, pickupHour

    func title(_ language: ReportLanguage) -> String {
        switch (self, language) {
        case (.type, .thai): return "ตามประเภทผู้ป่วย"
        case (.type, .english): return "By patient type"
        case (.mobility, .thai): return "ตามความสามารถในการเคลื่อนไหว"
        case (.mobility, .english): return "By mobility"
        case (.hospital, .thai): return "ตามโรงพยาบาล"
        case (.hospital, .english): return "By hospital"
        case (.tambon, .thai): return "ตามตำบล"
        case (.tambon, .english): return "By tambon"
        case (.village, .thai): return "ตามหมู่บ้าน"
        case (.village, .english): return "By village"
        case (.hour, .thai): return "ตามชั่วโมงของเวลาที่ขอ (เวลานัด เวลารับที่ขอ หรือเวลากลับ)"
        case (.hour, .english): return "By hour asked for (appointment, pickup asked for, or return time)"
        case (.pickupHour, .thai): return "ตามชั่วโมงเริ่มช่วงเวลารับ (เที่ยวที่ถูกปฏิเสธตอนจองไม่มีช่วงเวลารับ)"
        case (.pickupHour, .english): return "By hour of the pickup window's start (legs refused at booking have none)"
        }
    }
}

/// Thai and English names of the patient types the scenarios use (a scenario's own words; the
/// service's catalogue has no patient types). Mobilities come from the catalogue (``Words``).
enum Vocabulary {
    static let types: [String: (String, String)] = [
        "elderly": ("ผู้สูงอายุ", "elderly"), "bedridden": ("ผู้ป่วยติดเตียง", "bedridden"), "wheelchair": ("ผู้ใช้รถเข็น", "wheelchair users"),
        "dialysis": ("ผู้ป่วยฟอกไต", "dialysis"), "cancer": ("ผู้ป่วยมะเร็ง", "cancer"),
    ]

    static func type(_ key: String, _ language: ReportLanguage) -> String {
        types[key].map { language == .thai ? $0.0 : $0.1 } ?? key
    }

    static func mobility(_ key: String, _ language: ReportLanguage) -> String {
        Mobility(rawValue: key).map { Words(language == .thai ? .th : .en).mobility($0) } ?? key
    }
}

extension KPIs {
    /// Per value of `dimension`: the legs of `replications` (one outcome per replication), in a
    /// stable order (villages and tambons as listed, hours in order, the rest by most requested).
    static func groups(_ dimension: GroupDimension, _ replications: [VariantOutcome], scenario: Scenario, language: ReportLanguage) -> [GroupRow] {
        guard let first = replications.first else { return [] }
        let hospitalNames = Dictionary(scenario.hospitals.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var tambonNames: [String: String] = [:]
        var villageLabels: [String: String] = [:]
        var listed: [String] = []
        for area in first.areas {
            tambonNames.merge(area.tambonNames) { a, _ in a }
            for (index, place) in area.villagePlaces.enumerated() {
                let village = area.villages[index]
                let tambon = area.tambonNames[area.villageTambon[place] ?? ""] ?? ""
                villageLabels[place.rawValue] = language == .thai
                    ? "\(village.name) หมู่ \(village.moo) \(tambon)"
                    : "\(village.name), Moo \(village.moo), \(tambon)"
                if dimension == .village { listed.append(place.rawValue) }
            }
        }
        if dimension == .tambon { listed = first.areas.flatMap { $0.tambonNames.keys.sorted() } }
        func key(_ trip: TripRecord) -> String? {
            switch dimension {
            case .type: return trip.type
            case .mobility: return trip.mobility
            case .hospital: return trip.hospital.rawValue
            case .tambon: return trip.tambon
            case .village: return trip.village.rawValue
            case .hour:
                guard let requested = trip.requested else { return nil }
                return String(format: "%02d", UTCOffset.bangkok.time(of: requested).minutes / 60)
            case .pickupHour:
                // A will-call return's window starts at the clinic's call; a refused leg has none.
                guard let start = trip.windowEarliest else { return "none" }
                return String(format: "%02d", UTCOffset.bangkok.time(of: start).minutes / 60)
            }
        }
        func label(_ key: String) -> String {
            switch dimension {
            case .type: return Vocabulary.type(key, language)
            case .mobility: return Vocabulary.mobility(key, language)
            case .hospital: return hospitalNames[key] ?? key
            case .tambon: return tambonNames[key] ?? key
            case .village: return villageLabels[key] ?? key
            case .hour, .pickupHour:
                return key == "none" ? language == .thai ? "ไม่มีช่วงเวลารับ" : "no pickup window" : "\(key):00–\(key):59"
            }
        }
        var rows: [String: GroupRow] = [:]
        for outcome in replications {
            var perReplication: [String: (served: Int, denied: Int)] = [:]
            for (trip, denied) in zip(outcome.trips, deniedLegs(outcome.trips)) {
                guard let group = key(trip) else { continue }
                var row = rows[group] ?? GroupRow(key: group, label: label(group), replications: replications.count)
                row.requested += 1
                if trip.status == "dropped_off" {
                    row.served += 1
                    perReplication[group, default: (0, 0)].served += 1
                    if let delay = pickupDelay(trip) { row.delays.append(delay) }
                } else if denied {
                    row.denied += 1
                    perReplication[group, default: (0, 0)].denied += 1
                } else if trip.status == "cancelled" {
                    row.cancelled += 1
                }
                rows[group] = row
            }
            for (group, counts) in perReplication where counts.served + counts.denied > 0 {
                rows[group]?.shares.append(Double(counts.served) / Double(counts.served + counts.denied))
            }
        }
        // Villages and tambons without a request still get their row: a planner looks for them.
        for group in listed where rows[group] == nil { rows[group] = GroupRow(key: group, label: label(group), replications: replications.count) }
        switch dimension {
        case .village, .tambon:
            return listed.compactMap { rows[$0] }
        case .hour, .pickupHour:
            // Hours in order; legs without a pickup window last.
            return rows.values.sorted { ($0.key == "none" ? "99" : $0.key) < ($1.key == "none" ? "99" : $1.key) }
        default:
            return rows.values.sorted { ($0.requested, $1.key) > ($1.requested, $0.key) }
        }
    }

    /// Legs not served, by what became of them: the status and its keyword.
    static func denialReasons(_ replications: [VariantOutcome]) -> [(status: String, reason: String, legs: Int)] {
        var counts: [String: Int] = [:]
        for outcome in replications {
            for (trip, denied) in zip(outcome.trips, deniedLegs(outcome.trips)) where denied {
                // A return closed with its denied outbound: counted under its outbound's fate.
                let reason = trip.status == TripStatus.cancelled.rawValue ? "OUTBOUND_NOT_SERVED" : trip.reason ?? ""
                counts["\(trip.status)|\(reason)", default: 0] += 1
            }
        }
        return counts.map { key, legs in
            let parts = key.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "", legs)
        }.sorted { ($0.legs, $1.status, $1.reason) > ($1.legs, $0.status, $0.reason) }
    }
}
