import Foundation
import Testing
import PhapaiCore
import PhapaiStore
@testable import PhapaiService

@Suite("Service: imported travel-time matrix")
struct MatrixTests {
    @Test func aCSVMatrixSetsTheDirectTimeOfBookings() throws {
        let world = try World()
        let csv = "from,to,seconds,meters\nHOME-P002,H-COMM,2400,31000\nH-COMM,HOME-P002,2460,31000\n"
        #expect(try world.service.importMatrix(Data(csv.utf8), format: "csv") == 2)
        let trip = try world.service.bookTrip(world.request("P002", appointment: "2026-11-23 09:00"))[0]
        #expect(trip.directSeconds == 2400)
        // Latest pickup = 08:45 - 40 min - 2 min boarding.
        #expect(world.offset.time(of: trip.pickupWindow!.latest).description == "08:03")
        // Re-importing replaces values.
        _ = try world.service.importMatrix(Data("from,to,seconds\nHOME-P002,H-COMM,1800\n".utf8), format: "csv")
        #expect(try world.service.store.matrixEntry(from: PlaceID(unchecked: "HOME-P002"), to: PlaceID(unchecked: "H-COMM"))?.seconds == 1800)
    }

    /// Roads differ both ways: the return leg's direct time, ride limit and windows come from the
    /// way back's entry, the model's when the matrix has none.
    @Test func theReturnLegTakesTheWayBacksEntry() throws {
        let world = try World()
        _ = try world.service.importMatrix(Data("from,to,seconds\nHOME-P002,H-COMM,2400\nH-COMM,HOME-P002,1800\n".utf8), format: "csv")
        let trips = try world.service.bookTrip(world.request("P002", appointment: "2026-11-23 09:00", back: "2026-11-23 13:00"))
        #expect(trips.map(\.directSeconds) == [2400, 1800])
        // 1.5 x direct + 20 min.
        #expect(trips.map(\.maxRideSeconds) == [4800, 3900])
        // Earliest drop-off of the return: 13:00 + 2 min boarding + 30 min.
        #expect(world.offset.time(of: trips[1].dropoffWindow!.earliest).description == "13:32")
        let model = try world.service.place(PlaceID(unchecked: "H-PROV")).coordinate
        let home = try world.service.place(PlaceID(unchecked: "HOME-P002")).coordinate
        let unmatched = try world.service.bookTrip(world.request("P002", to: "H-PROV", appointment: "2026-11-24 09:00", back: "2026-11-24 14:00"))
        let area = try world.service.area()
        #expect(unmatched.map(\.directSeconds) == [area.travel.seconds(home, model), area.travel.seconds(model, home)])
    }

    @Test func aBadLineRefusesTheWholeFile() throws {
        let world = try World()
        let csv = "from,to,seconds\nHOME-P002,H-COMM,2400\nHOME-P002,NOWHERE,100\n"
        let error = world.refusal { _ = try world.service.importMatrix(Data(csv.utf8), format: "csv") }
        #expect(error?.keyword == "UNKNOWN_PLACE" && error?.field == "line 3")
        #expect(try world.service.store.matrix().isEmpty)
        let negative = world.refusal { _ = try world.service.importMatrix(Data("from,to,seconds\nV01,V02,-5\n".utf8), format: "csv") }
        #expect(negative?.keyword == "OUT_OF_RANGE" && negative?.field == "line 2: seconds")
        let noHeader = world.refusal { _ = try world.service.importMatrix(Data("V01,V02,5\n".utf8), format: "csv") }
        #expect(noHeader?.keyword == "INVALID_CSV")
    }

    @Test func anOSRMTableIsReadWithPlacesOrByNearestWaypoint() throws {
        let world = try World()
        let v01 = try world.service.place(PlaceID(unchecked: "V01")).coordinate
        let v02 = try world.service.place(PlaceID(unchecked: "V02")).coordinate
        let json = """
            {"code": "Ok", "durations": [[0, 600.5], [610, 0]], "distances": [[0, 8000], [8100, 0]],
             "sources": [{"location": [\(v01.longitude + 0.00001), \(v01.latitude)]}, {"location": [\(v02.longitude), \(v02.latitude + 0.00001)]}]}
            """
        #expect(try world.service.importMatrix(Data(json.utf8), format: "osrm") == 2)
        let matrix = try world.service.store.matrix()
        #expect(matrix[PlaceID(unchecked: "V01")]?[PlaceID(unchecked: "V02")]?.seconds == 600.5)
        #expect(matrix[PlaceID(unchecked: "V02")]?[PlaceID(unchecked: "V01")]?.meters == 8100)
        _ = try world.service.importMatrix(Data(json.utf8), format: "osrm", places: [PlaceID(unchecked: "V02"), PlaceID(unchecked: "V01")])
        #expect(try world.service.store.matrix()[PlaceID(unchecked: "V02")]?[PlaceID(unchecked: "V01")]?.seconds == 600.5)
        let mismatch = world.refusal { _ = try world.service.importMatrix(Data(json.utf8), format: "osrm", places: [PlaceID(unchecked: "V01")]) }
        #expect(mismatch?.keyword == "COUNT_MISMATCH")
        let failed = world.refusal { _ = try world.service.importMatrix(Data(#"{"code": "NoTable", "durations": []}"#.utf8), format: "osrm") }
        #expect(failed?.keyword == "OSRM_ERROR")
    }
}
