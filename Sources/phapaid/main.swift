import Foundation
import PhapaiServer

exit(Daemon.main(Array(CommandLine.arguments.dropFirst())))
