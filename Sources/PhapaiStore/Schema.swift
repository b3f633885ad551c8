/// The database schema as an ordered list of migrations; `PRAGMA user_version` records how many
/// have been applied. Never edit a released migration: append a new one.
enum Schema {
    static let migrations: [String] = [
        // 1: the foundation.
        """
        CREATE TABLE areas (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            utc_offset_minutes INTEGER NOT NULL,
            circuity_factor REAL NOT NULL,
            average_speed_kmh REAL NOT NULL,
            policies_json TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE places (
            id TEXT PRIMARY KEY,
            area_id TEXT NOT NULL REFERENCES areas(id),
            kind TEXT NOT NULL CHECK (kind IN ('village','hospital','health_centre','depot','landmark','home')),
            name TEXT NOT NULL,
            moo INTEGER CHECK (moo IS NULL OR moo BETWEEN 1 AND 99),
            latitude REAL NOT NULL CHECK (latitude BETWEEN -90 AND 90),
            longitude REAL NOT NULL CHECK (longitude BETWEEN -180 AND 180),
            address TEXT
        );
        CREATE TABLE patients (
            id TEXT PRIMARY KEY,
            area_id TEXT NOT NULL REFERENCES areas(id),
            name TEXT NOT NULL,
            phone TEXT NOT NULL,
            home_place_id TEXT NOT NULL REFERENCES places(id),
            village_id TEXT NOT NULL REFERENCES places(id),
            address TEXT,
            mobility TEXT NOT NULL CHECK (mobility IN ('ambulatory','wheelchair','stretcher')),
            companions INTEGER NOT NULL CHECK (companions BETWEEN 0 AND 4),
            entitlement TEXT NOT NULL,
            registered_on TEXT NOT NULL,
            notes TEXT
        );
        CREATE INDEX patients_area ON patients(area_id);
        CREATE TABLE vehicles (
            id TEXT PRIMARY KEY,
            area_id TEXT NOT NULL REFERENCES areas(id),
            name TEXT NOT NULL,
            plate TEXT,
            seats INTEGER NOT NULL CHECK (seats >= 0),
            wheelchairs INTEGER NOT NULL CHECK (wheelchairs >= 0),
            stretchers INTEGER NOT NULL CHECK (stretchers >= 0),
            fold_seats INTEGER NOT NULL CHECK (fold_seats >= 0),
            depot_id TEXT NOT NULL REFERENCES places(id),
            cost_per_km REAL NOT NULL
        );
        CREATE TABLE drivers (
            id TEXT PRIMARY KEY,
            area_id TEXT NOT NULL REFERENCES areas(id),
            name TEXT NOT NULL,
            phone TEXT NOT NULL
        );
        CREATE TABLE shifts (
            id INTEGER PRIMARY KEY,
            driver_id TEXT NOT NULL REFERENCES drivers(id),
            vehicle_id TEXT NOT NULL REFERENCES vehicles(id),
            date TEXT NOT NULL,
            start_minute INTEGER NOT NULL,
            end_minute INTEGER NOT NULL,
            break_start_minute INTEGER,
            break_end_minute INTEGER,
            CHECK (start_minute < end_minute)
        );
        CREATE INDEX shifts_date ON shifts(date);
        CREATE TABLE standing_orders (
            id INTEGER PRIMARY KEY,
            patient_id TEXT NOT NULL REFERENCES patients(id),
            pickup_place_id TEXT NOT NULL REFERENCES places(id),
            destination_id TEXT NOT NULL REFERENCES places(id),
            weekdays TEXT NOT NULL,
            appointment_minute INTEGER NOT NULL,
            start_date TEXT NOT NULL,
            end_date TEXT,
            return_mode TEXT NOT NULL CHECK (return_mode IN ('none','at','will_call')),
            return_minute INTEGER,
            companions INTEGER NOT NULL,
            funding TEXT NOT NULL,
            notes TEXT,
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE standing_holds (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES standing_orders(id),
            from_date TEXT NOT NULL,
            to_date TEXT NOT NULL,
            reason TEXT NOT NULL,
            CHECK (from_date <= to_date)
        );
        CREATE TABLE trips (
            id INTEGER PRIMARY KEY,
            area_id TEXT NOT NULL REFERENCES areas(id),
            patient_id TEXT NOT NULL REFERENCES patients(id),
            direction TEXT NOT NULL CHECK (direction IN ('outbound','return')),
            pickup_place_id TEXT NOT NULL REFERENCES places(id),
            dropoff_place_id TEXT NOT NULL REFERENCES places(id),
            service_date TEXT NOT NULL,
            appointment_at INTEGER,
            requested_pickup_at INTEGER,
            pickup_earliest INTEGER,
            pickup_latest INTEGER,
            dropoff_earliest INTEGER,
            dropoff_latest INTEGER,
            direct_seconds INTEGER NOT NULL,
            max_ride_seconds INTEGER NOT NULL,
            mobility TEXT NOT NULL,
            companions INTEGER NOT NULL,
            funding TEXT NOT NULL,
            status TEXT NOT NULL,
            will_call INTEGER NOT NULL DEFAULT 0,
            linked_trip_id INTEGER REFERENCES trips(id),
            standing_order_id INTEGER REFERENCES standing_orders(id),
            cancellation_code TEXT,
            status_reason TEXT,
            notes TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            UNIQUE (standing_order_id, service_date, direction)
        );
        CREATE INDEX trips_date ON trips(service_date);
        CREATE INDEX trips_patient ON trips(patient_id, service_date);
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX events_entity ON events(entity);
        CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
        """,
        // 2: planned runs: one per shift and day, its stops in order with planned times.
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            date TEXT NOT NULL,
            shift_id INTEGER NOT NULL UNIQUE REFERENCES shifts(id),
            vehicle_id TEXT NOT NULL REFERENCES vehicles(id),
            driver_id TEXT NOT NULL REFERENCES drivers(id),
            planned_at INTEGER NOT NULL
        );
        CREATE INDEX runs_date ON runs(date);
        CREATE TABLE run_stops (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            sequence INTEGER NOT NULL,
            trip_id INTEGER NOT NULL REFERENCES trips(id),
            action TEXT NOT NULL CHECK (action IN ('pickup','dropoff')),
            planned_time INTEGER NOT NULL,
            locked INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_id, sequence),
            UNIQUE (trip_id, action)
        );
        """,
        // 3: what drivers report, with actual times and odometer readings.
        """
        CREATE TABLE trip_events (
            id INTEGER PRIMARY KEY,
            trip_id INTEGER NOT NULL REFERENCES trips(id),
            kind TEXT NOT NULL CHECK (kind IN ('arrive','pickup','dropoff','noshow')),
            at INTEGER NOT NULL,
            odometer_km REAL,
            recorded_at INTEGER NOT NULL
        );
        CREATE INDEX trip_events_trip ON trip_events(trip_id);
        """,
        // 4: a dispatcher's manual assignment of a trip to a vehicle.
        """
        ALTER TABLE trips ADD COLUMN assigned_vehicle_id TEXT REFERENCES vehicles(id);
        """,
        // 5: imported road travel times and distances between places.
        """
        CREATE TABLE travel_matrix (
            from_place TEXT NOT NULL REFERENCES places(id),
            to_place TEXT NOT NULL REFERENCES places(id),
            seconds REAL NOT NULL CHECK (seconds >= 0),
            meters REAL CHECK (meters IS NULL OR meters >= 0),
            PRIMARY KEY (from_place, to_place)
        );
        """,
        // 6: people who log in to the server: role, reach, and the SHA-256 of their token.
        """
        CREATE TABLE users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('admin','dispatcher','driver','planner')),
            areas TEXT NOT NULL DEFAULT '',
            driver_id TEXT REFERENCES drivers(id),
            token_sha256 TEXT NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        );
        """,
        // 7: what changed on each run (a run is its shift), numbered per run, for WATCH.
        """
        CREATE TABLE run_changes (
            shift_id INTEGER NOT NULL REFERENCES shifts(id),
            seq INTEGER NOT NULL,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL,
            PRIMARY KEY (shift_id, seq)
        );
        """,
        // 8: promises and will-call reservations on trips; weekly shift patterns, rostered day by day.
        """
        ALTER TABLE trips ADD COLUMN promised_at INTEGER;
        ALTER TABLE trips ADD COLUMN release_earliest INTEGER;
        ALTER TABLE trips ADD COLUMN release_latest INTEGER;
        CREATE TABLE shift_patterns (
            id INTEGER PRIMARY KEY,
            area_id TEXT NOT NULL REFERENCES areas(id),
            driver_id TEXT NOT NULL REFERENCES drivers(id),
            vehicle_id TEXT NOT NULL REFERENCES vehicles(id),
            weekdays TEXT NOT NULL,
            start_minute INTEGER NOT NULL,
            end_minute INTEGER NOT NULL,
            break_start_minute INTEGER,
            break_end_minute INTEGER,
            CHECK (start_minute < end_minute)
        );
        CREATE TABLE rostered_days (
            area_id TEXT NOT NULL REFERENCES areas(id),
            date TEXT NOT NULL,
            PRIMARY KEY (area_id, date)
        );
        """,
        // 9: trips scheduled before 8 kept no promise: the window they hold was told when they were
        // last scheduled, which updated_at records.
        """
        UPDATE trips SET promised_at = updated_at
            WHERE promised_at IS NULL AND status IN ('scheduled','en_route')
            AND pickup_earliest IS NOT NULL AND pickup_latest IS NOT NULL;
        """,
        // 10: many areas in one database: the prefix each area's codes begin with, and the pool
        // of areas whose fleets plan together.
        """
        ALTER TABLE areas ADD COLUMN code_prefix TEXT;
        ALTER TABLE areas ADD COLUMN pool TEXT;
        """,
        // 11: the answers of writes given with a client's request id (rid), so that a retry gets the
        // original answer instead of a second write; per actor, kept for a bounded time. IF NOT
        // EXISTS: applying it twice (a database whose user_version was set back) changes nothing.
        """
        CREATE TABLE IF NOT EXISTS request_ids (
            actor TEXT NOT NULL,
            rid TEXT NOT NULL,
            command TEXT NOT NULL,
            digest TEXT NOT NULL,
            reply TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (actor, rid)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS request_ids_created ON request_ids(created_at);
        """,
        // 12: what the last night-before call list of an area's day said of each trip, so the
        // next one marks what changed since.
        """
        CREATE TABLE IF NOT EXISTS call_prints (
            area_id TEXT NOT NULL,
            date TEXT NOT NULL,
            trip_id INTEGER NOT NULL,
            pickup_earliest INTEGER,
            vehicle_id TEXT,
            printed_at INTEGER NOT NULL,
            PRIMARY KEY (area_id, date, trip_id)
        ) WITHOUT ROWID;
        """,
        // 13: the language an area's people read when a command names none: Thai unless the area
        // file says `"language": "en"`.
        """
        ALTER TABLE areas ADD COLUMN language TEXT NOT NULL DEFAULT 'th' CHECK (language IN ('th','en'));
        """,
        // 14: drivers' personal links to the phone page of their run (phapaid's driver web face):
        // only the SHA-256 of each link's secret is kept; a revoked link stays for the record.
        """
        CREATE TABLE IF NOT EXISTS driver_links (
            id INTEGER PRIMARY KEY,
            driver_id TEXT NOT NULL REFERENCES drivers(id),
            secret_sha256 TEXT NOT NULL UNIQUE,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        );
        CREATE INDEX IF NOT EXISTS driver_links_driver ON driver_links(driver_id);
        """,
        // 15: a trip's reason as a phrase (JSON of PhapaiCore's Phrase) that each reader reads in
        // their language; `status_reason` keeps its English. NULL: the English is all there is
        // (older rows, text a person typed).
        """
        ALTER TABLE trips ADD COLUMN status_phrase TEXT;
        """,
    ]
}
