import Foundation
import PhapaiBench

exit(BenchCommand.run(Array(CommandLine.arguments.dropFirst())))
