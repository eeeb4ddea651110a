import DevKit
