import Foundation
import Testing

/// The `--json` forms of `trip list` and `patient show` are a contract (docs/cli.md): these are
/// the exact bytes for a known booking.
@Suite("phapai: JSON output contract")
struct JSONContractTests {
    @Test func tripListJSONIsStable() throws {
        let w = try Workspace.initialised()
        try w.ok("trip", "book", "--patient", "P004", "--to", "H-COMM", "--appointment", "2026-11-23 09:00", "--will-call", "--notes", "ขอรถตู้")
        let json = try w.ok("trip", "list", "--date", "2026-11-23", "--json")
        #expect(json == Self.expectedTrips + "\n")
        #expect(try w.ok("trip", "list", "--date", "2026-11-23", "--json") == json)
    }

    @Test func patientShowJSONIsStable() throws {
        let w = try Workspace.initialised()
        let json = try w.ok("patient", "show", "P004", "--json")
        #expect(json == Self.expectedPatient + "\n")
    }

    static let expectedTrips = """
        [
          {
            "id": 1,
            "status": "requested",
            "direction": "outbound",
            "serviceDate": "2026-11-23",
            "patient": {
              "id": "P004",
              "name": "นางสาวบุญส่ง อินทร์ทอง"
            },
            "pickup": {
              "place": "HOME-P004",
              "name": "บ้านผู้ป่วย ม.7 บ้านโคกม่วง",
              "earliest": "2026-11-23T07:19:00+07:00",
              "latest": "2026-11-23T07:49:00+07:00"
            },
            "dropoff": {
              "place": "H-COMM",
              "name": "โรงพยาบาลชุมชนนาทอง",
              "earliest": "2026-11-23T08:00:00+07:00",
              "latest": "2026-11-23T08:45:00+07:00"
            },
            "appointment": "2026-11-23T09:00:00+07:00",
            "requestedPickup": null,
            "willCall": false,
            "mobility": "wheelchair",
            "companions": 1,
            "funding": "tambon_health_fund",
            "directMinutes": 51,
            "maxRideMinutes": 96,
            "linkedTrip": 2,
            "standingOrder": null,
            "cancellationCode": null,
            "statusReason": null,
            "notes": "ขอรถตู้",
            "createdAt": "2026-11-20T10:00:00+07:00"
          },
          {
            "id": 2,
            "status": "requested",
            "direction": "return",
            "serviceDate": "2026-11-23",
            "patient": {
              "id": "P004",
              "name": "นางสาวบุญส่ง อินทร์ทอง"
            },
            "pickup": {
              "place": "H-COMM",
              "name": "โรงพยาบาลชุมชนนาทอง",
              "earliest": null,
              "latest": null
            },
            "dropoff": {
              "place": "HOME-P004",
              "name": "บ้านผู้ป่วย ม.7 บ้านโคกม่วง",
              "earliest": null,
              "latest": null
            },
            "appointment": null,
            "requestedPickup": null,
            "willCall": true,
            "mobility": "wheelchair",
            "companions": 1,
            "funding": "tambon_health_fund",
            "directMinutes": 51,
            "maxRideMinutes": 96,
            "linkedTrip": 1,
            "standingOrder": null,
            "cancellationCode": null,
            "statusReason": null,
            "notes": "ขอรถตู้",
            "createdAt": "2026-11-20T10:00:00+07:00"
          }
        ]
        """

    static let expectedPatient = """
        {
          "id": "P004",
          "name": "นางสาวบุญส่ง อินทร์ทอง",
          "phone": "088-749-7560",
          "mobility": "wheelchair",
          "companions": 1,
          "entitlement": "tambon_health_fund",
          "registeredOn": "2023-02-07",
          "village": {
            "place": "V07",
            "name": "บ้านโคกม่วง",
            "moo": 7
          },
          "home": {
            "place": "HOME-P004",
            "latitude": 7.01281,
            "longitude": 100.40709
          },
          "address": "บ้านเลขที่ 16 หมู่ 7 ตำบลนาทอง",
          "notes": "ใช้ออกซิเจนพกพา",
          "upcomingTrips": []
        }
        """
}
