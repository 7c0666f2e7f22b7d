[CmdletBinding()]
Param(
    [Parameter(Position=0,Mandatory=$false,ValueFromRemainingArguments=$true)]
    [string[]]$BuildArguments
)

# Bootstrapper in the manner of Nuke's; mirrors build.sh. Paths are joined with [IO.Path]::Combine, so it runs under
# PowerShell 7 on Linux and macOS as well as on Windows.
Set-StrictMode -Version 2.0; $ErrorActionPreference = "Stop"; $ConfirmPreference = "None"; trap { Write-Error $_ -ErrorAction Continue; exit 1 }
$PSScriptRoot = Split-Path $MyInvocation.MyCommand.Path -Parent

$BuildProjectFile = [IO.Path]::Combine($PSScriptRoot, "build", "_build.csproj")
$BuildDll = [IO.Path]::Combine($PSScriptRoot, "build", "bin", "Debug", "net10.0", "_build.dll")
$TempDirectory = [IO.Path]::Combine($PSScriptRoot, ".nuke", "temp")
$BuildStamp = [IO.Path]::Combine($TempDirectory, "build.stamp")
$DotNetGlobalFile = [IO.Path]::Combine($PSScriptRoot, "global.json")
$DotNetInstallUrl = "https://dot.net/v1/dotnet-install.ps1"

$env:DOTNET_CLI_TELEMETRY_OPTOUT = 1
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = 1
$env:DOTNET_NOLOGO = 1
$env:MSBUILDDISABLENODEREUSE = 1

# Use dotnet from PATH when it satisfies global.json (dotnet --version fails otherwise).
$DotNetExe = $null
if ($null -ne (Get-Command "dotnet" -ErrorAction SilentlyContinue)) {
    Push-Location $PSScriptRoot
    try { & dotnet --version *> $null; if ($LASTEXITCODE -eq 0) { $DotNetExe = (Get-Command "dotnet").Path } } finally { Pop-Location }
}
if ($null -eq $DotNetExe) {
    $DotNetDirectory = [IO.Path]::Combine($TempDirectory, "dotnet-win")
    $DotNetExe = [IO.Path]::Combine($DotNetDirectory, "dotnet.exe")
    if (!(Test-Path $DotNetExe)) {
        Write-Output "Installing the .NET SDK that global.json asks for into .nuke\temp\dotnet-win ..."
        New-Item -ItemType Directory -Path $TempDirectory -Force | Out-Null
        $DotNetInstallFile = [IO.Path]::Combine($TempDirectory, "dotnet-install.ps1")
        [Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12
        (New-Object System.Net.WebClient).DownloadFile($DotNetInstallUrl, $DotNetInstallFile)
        $DotNetVersion = (Get-Content $DotNetGlobalFile | Out-String | ConvertFrom-Json).sdk.version
        $Channel = $DotNetVersion.Substring(0, $DotNetVersion.LastIndexOf('.'))
        & powershell $DotNetInstallFile -InstallDir $DotNetDirectory -Channel $Channel -NoPath
    }
    $env:DOTNET_ROOT = $DotNetDirectory
    $env:PATH = "$DotNetDirectory$([IO.Path]::PathSeparator)$env:PATH"
}

# Rebuild only when a source of the build changed since the last build.
$NeedsBuild = !(Test-Path $BuildDll) -or !(Test-Path $BuildStamp)
if (!$NeedsBuild) {
    $Stamp = (Get-Item $BuildStamp).LastWriteTimeUtc
    $Sources = @(([IO.Path]::Combine($PSScriptRoot, "build")), ([IO.Path]::Combine($PSScriptRoot, "src"))) | ForEach-Object { Get-ChildItem $_ -Recurse -File } |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj|node_modules)[\\/]' }
    $Sources += @("global.json", "Directory.Build.props", "Directory.Packages.props") | ForEach-Object { [IO.Path]::Combine($PSScriptRoot, $_) } | ForEach-Object { Get-Item $_ }
    $NeedsBuild = ($Sources | Where-Object { $_.LastWriteTimeUtc -gt $Stamp } | Select-Object -First 1) -ne $null
}
if ($NeedsBuild) {
    New-Item -ItemType Directory -Path $TempDirectory -Force | Out-Null
    $Log = & $DotNetExe build $BuildProjectFile -nologo -clp:NoSummary -v quiet /nodeReuse:false /p:UseSharedCompilation=false 2>&1
    if ($LASTEXITCODE -ne 0) { $Log | Write-Output; Write-Error "The build project did not compile; see above."; exit 1 }
    New-Item -ItemType File -Path $BuildStamp -Force | Out-Null
}

& $DotNetExe $BuildDll $BuildArguments
exit $LASTEXITCODE
