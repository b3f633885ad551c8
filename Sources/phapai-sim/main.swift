import Foundation
import PhapaiSim

exit(SimCommand.run(Array(CommandLine.arguments.dropFirst())))
