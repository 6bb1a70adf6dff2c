"""Templates for generated demo reports: Indonesian titles, bodies, follow-ups and replies per topic.

Written for the demo generator (``demo_generate.py``); no real citizen's words are used. Placeholders:
{place} (village or district, city), {street}, {days}, {weeks}.
"""

from __future__ import annotations

# topic slug -> (complaint issues, suggestions, information questions, detail sentences, follow-up actions)
TOPIC_TEXTS: dict[str, tuple[list[str], list[str], list[str], list[str], list[str]]] = {
    "jalan-jembatan": (
        [
            "Jalan berlubang",
            "Aspal jalan rusak parah",
            "Jembatan retak dan miring",
            "Jalan amblas setelah hujan",
            "Perbaikan jalan terbengkalai",
        ],
        ["pelebaran jalan", "pembangunan trotoar", "penambahan pagar pengaman jembatan"],
        ["jadwal perbaikan jalan", "anggaran pemeliharaan jalan kota"],
        [
            "Lubang di {street} semakin besar dan sudah beberapa pengendara motor terjatuh.",
            "Kerusakan ini sudah berlangsung sekitar {weeks} minggu dan belum ada perbaikan.",
            "Saat hujan lubang tertutup genangan sehingga tidak terlihat oleh pengendara.",
        ],
        [
            "Tim Bidang Bina Marga telah meninjau lokasi dan menjadwalkan penambalan jalan",
            "Perbaikan sudah masuk rencana pemeliharaan rutin triwulan ini",
        ],
    ),
    "drainase-banjir": (
        [
            "Selokan tersumbat dan meluap",
            "Genangan air setiap hujan",
            "Banjir di permukiman warga",
            "Saluran drainase tidak berfungsi",
        ],
        ["normalisasi saluran air", "pembuatan sumur resapan"],
        ["jadwal pembersihan drainase", "program normalisasi sungai"],
        [
            "Setiap hujan deras air masuk ke rumah warga di sekitar {street}.",
            "Saluran tertutup sampah dan lumpur sejak {weeks} minggu terakhir.",
            "Air tergenang hingga setinggi betis dan baru surut setelah {days} hari.",
        ],
        [
            "Petugas telah membersihkan saluran dan mengangkut endapan lumpur",
            "Normalisasi saluran dijadwalkan bersama kelurahan setempat",
        ],
    ),
    "penerangan-jalan": (
        ["Lampu jalan mati", "Penerangan jalan umum padam", "Tiang lampu jalan roboh"],
        ["penambahan lampu penerangan jalan", "pemasangan lampu tenaga surya"],
        ["prosedur pengajuan lampu jalan baru"],
        [
            "Lampu di {street} sudah padam sekitar {weeks} minggu sehingga jalan sangat gelap pada malam hari.",
            "Warga khawatir terjadi kecelakaan dan tindak kejahatan karena gelap.",
        ],
        [
            "Petugas Bidang Penerangan Jalan Umum telah mengganti lampu yang rusak",
            "Penggantian tiang dijadwalkan minggu depan",
        ],
    ),
    "sampah": (
        [
            "Sampah menumpuk di TPS",
            "Sampah tidak diangkut",
            "Bau menyengat dari tumpukan sampah",
            "Pembuangan sampah liar",
        ],
        ["penambahan tempat sampah terpilah", "jadwal angkut sampah yang lebih sering"],
        ["jadwal pengangkutan sampah", "cara mendaftar bank sampah"],
        [
            "Sampah di dekat {street} sudah {days} hari tidak diangkut dan menimbulkan bau.",
            "Tumpukan sampah mulai meluber ke badan jalan dan dikerubungi lalat.",
        ],
        [
            "Armada pengangkut sampah telah dikerahkan ke lokasi",
            "Jadwal pengangkutan di wilayah tersebut telah ditambah",
        ],
    ),
    "pencemaran": (
        [
            "Limbah usaha dibuang ke sungai",
            "Asap pembakaran sampah mengganggu warga",
            "Kebisingan dari bengkel malam hari",
        ],
        ["pengawasan limbah usaha rumahan"],
        ["prosedur pengaduan pencemaran lingkungan"],
        [
            "Air sungai di sekitar {street} berubah warna dan berbau sejak {weeks} minggu lalu.",
            "Asap tebal muncul hampir setiap sore dan membuat anak-anak batuk.",
        ],
        [
            "Tim pengawas lingkungan telah memeriksa lokasi dan memberi teguran tertulis",
            "Pemilik usaha telah dipanggil untuk pembinaan",
        ],
    ),
    "layanan-puskesmas": (
        [
            "Antrean puskesmas terlalu lama",
            "Obat di puskesmas sering kosong",
            "Dokter puskesmas tidak ada di tempat",
            "Petugas puskesmas kurang ramah",
        ],
        ["pendaftaran antrean daring di puskesmas", "perpanjangan jam layanan puskesmas"],
        ["jadwal imunisasi di puskesmas", "layanan yang ditanggung di puskesmas"],
        [
            "Saya datang pukul 07.30 dan baru dilayani menjelang siang.",
            "Sudah {days} kali berobat obat yang diresepkan tidak tersedia.",
            "Petugas pendaftaran tidak memberi penjelasan yang jelas kepada pasien lansia.",
        ],
        [
            "Kepala puskesmas telah melakukan evaluasi alur pendaftaran",
            "Stok obat telah dipenuhi dari gudang farmasi kota",
        ],
    ),
    "rumah-sakit": (
        ["Pelayanan IGD lambat", "Kamar rawat inap penuh", "Biaya rumah sakit tidak jelas"],
        ["penambahan tempat tidur rawat inap"],
        ["prosedur rujukan ke rumah sakit", "jam besuk pasien rawat inap"],
        [
            "Keluarga kami menunggu lebih dari tiga jam di IGD tanpa kejelasan.",
            "Rincian biaya yang diberikan berbeda dengan penjelasan awal petugas.",
        ],
        [
            "Manajemen rumah sakit telah meminta klarifikasi dari petugas jaga",
            "Rincian biaya telah dijelaskan kembali kepada keluarga pasien",
        ],
    ),
    "jaminan-kesehatan": (
        ["Kartu BPJS tidak aktif", "Iuran BPJS terpotong dua kali", "Ditolak berobat dengan KIS"],
        ["kemudahan pindah faskes"],
        ["cara mengaktifkan kembali kepesertaan BPJS", "syarat pindah fasilitas kesehatan"],
        [
            "Saat berobat petugas menyatakan kepesertaan saya nonaktif padahal iuran lancar.",
            "Saya sudah {days} kali datang ke kantor cabang namun belum ada penyelesaian.",
        ],
        [
            "Status kepesertaan telah diaktifkan kembali",
            "Kelebihan pembayaran iuran akan dikembalikan dalam 14 hari kerja",
        ],
    ),
    "ppdb": (
        ["Sistem PPDB zonasi bermasalah", "Anak tidak diterima padahal dekat sekolah", "Situs PPDB tidak bisa diakses"],
        ["kuota jalur afirmasi yang lebih besar"],
        ["jadwal dan syarat PPDB", "cara menghitung jarak zonasi"],
        [
            "Rumah kami hanya sekitar 500 meter dari sekolah tetapi anak kami tidak lolos seleksi.",
            "Situs pendaftaran selalu gagal dibuka pada hari terakhir pendaftaran.",
        ],
        ["Panitia PPDB telah memverifikasi ulang data jarak domisili", "Kapasitas server pendaftaran telah ditambah"],
    ),
    "sarana-sekolah": (
        ["Atap kelas bocor", "Toilet sekolah rusak", "Bangku dan meja sekolah rusak"],
        ["rehabilitasi ruang kelas", "penambahan fasilitas air bersih di sekolah"],
        ["jadwal rehabilitasi gedung sekolah"],
        [
            "Setiap hujan siswa harus pindah karena air menetes dari atap kelas.",
            "Toilet siswa sudah {weeks} minggu tidak bisa dipakai.",
        ],
        [
            "Perbaikan atap telah dianggarkan dan dikerjakan bulan ini",
            "Dinas telah mengirim tim teknis untuk menilai kerusakan",
        ],
    ),
    "beasiswa": (
        ["Dana PIP belum cair", "Nama siswa hilang dari daftar KIP", "Beasiswa dipotong pihak sekolah"],
        ["sosialisasi jadwal pencairan beasiswa"],
        ["syarat pendaftaran beasiswa daerah", "jadwal pencairan dana PIP"],
        [
            "Anak kami terdaftar sebagai penerima tetapi dana belum diterima sejak semester lalu.",
            "Tidak ada penjelasan dari sekolah mengenai potongan tersebut.",
        ],
        [
            "Data penerima telah diverifikasi dan diusulkan kembali",
            "Pihak sekolah telah diminta mengembalikan potongan yang tidak sah",
        ],
    ),
    "ktp-el": (
        ["Blanko KTP-el habis", "KTP-el belum jadi berbulan-bulan", "Antrean rekam KTP-el panjang"],
        ["layanan rekam KTP-el keliling"],
        ["syarat penggantian KTP-el yang hilang", "jadwal perekaman KTP-el di kecamatan"],
        [
            "Saya sudah merekam data {weeks} minggu lalu tetapi KTP belum bisa diambil.",
            "Petugas hanya memberi surat keterangan tanpa kepastian waktu.",
        ],
        ["KTP-el telah dicetak dan dapat diambil di kantor Disdukcapil", "Stok blanko telah tersedia kembali"],
    ),
    "kartu-keluarga": (
        ["Perubahan data KK lambat", "Data KK tidak sesuai", "Pindah domisili dipersulit"],
        ["layanan KK secara daring"],
        ["syarat pindah domisili", "cara menambah anggota keluarga di KK"],
        [
            "Permohonan saya diajukan {weeks} minggu lalu dan belum ada kabar.",
            "Nama anggota keluarga tertulis salah dan harus bolak-balik ke kantor.",
        ],
        [
            "Data kartu keluarga telah diperbaiki dan dokumen dapat diunduh",
            "Pemohon diminta melengkapi surat pindah dari daerah asal",
        ],
    ),
    "akta": (
        ["Akta kelahiran belum terbit", "Pengurusan akta kematian berbelit"],
        ["layanan akta kelahiran langsung di rumah sakit"],
        ["syarat membuat akta kelahiran", "biaya pengurusan akta kematian"],
        [
            "Berkas sudah lengkap sejak {weeks} minggu lalu namun akta belum terbit.",
            "Petugas meminta dokumen yang tidak tercantum dalam persyaratan.",
        ],
        [
            "Akta telah terbit dan dikirim melalui surel pemohon",
            "Persyaratan telah dijelaskan kembali sesuai ketentuan",
        ],
    ),
    "bansos": (
        ["Bantuan sosial tidak tepat sasaran", "BLT belum diterima", "Nama hilang dari DTKS"],
        ["pemutakhiran data penerima bantuan secara terbuka"],
        ["syarat menjadi penerima bantuan sosial", "cara mengecek status DTKS"],
        [
            "Keluarga kami termasuk kurang mampu tetapi tidak pernah menerima bantuan.",
            "Beberapa penerima bantuan di lingkungan kami justru tergolong mampu.",
        ],
        [
            "Data keluarga telah diusulkan dalam pemutakhiran DTKS bulan ini",
            "Pendamping sosial telah melakukan verifikasi lapangan",
        ],
    ),
    "pkh": (
        ["Dana PKH terlambat cair", "Pendamping PKH sulit dihubungi"],
        ["pertemuan kelompok PKH yang lebih rutin"],
        ["jadwal pencairan PKH"],
        [
            "Pencairan tahap ini belum kami terima padahal tetangga sudah.",
            "Pendamping tidak membalas pesan sejak {weeks} minggu lalu.",
        ],
        [
            "Pendamping PKH telah menghubungi pelapor dan menjelaskan jadwal pencairan",
            "Kendala rekening penerima telah diperbaiki",
        ],
    ),
    "parkir": (
        ["Parkir liar di bahu jalan", "Juru parkir memungut tarif berlebih", "Parkir menutup akses jalan"],
        ["penataan kantong parkir di pusat kota"],
        ["tarif resmi retribusi parkir"],
        [
            "Kendaraan parkir di kedua sisi {street} sehingga jalan macet setiap sore.",
            "Juru parkir meminta Rp5.000 padahal tarif resmi lebih rendah.",
        ],
        [
            "Petugas Dinas Perhubungan telah menertibkan parkir di lokasi",
            "Juru parkir yang bersangkutan telah dibina dan diberi peringatan",
        ],
    ),
    "lalu-lintas": (
        ["Lampu lalu lintas mati", "Rambu lalu lintas hilang", "Angkot berhenti sembarangan"],
        ["penambahan zebra cross di depan sekolah", "pemasangan polisi tidur"],
        ["trayek angkutan umum kota"],
        [
            "Lampu lalu lintas di persimpangan dekat {street} mati sejak {days} hari lalu.",
            "Banyak kendaraan melaju kencang dan membahayakan anak sekolah.",
        ],
        ["Lampu lalu lintas telah diperbaiki oleh petugas", "Pemasangan rambu dijadwalkan pada anggaran perubahan"],
    ),
    "ketertiban": (
        [
            "Pedagang kaki lima menutup trotoar",
            "Keributan malam hari di taman kota",
            "Bangunan liar di bantaran sungai",
        ],
        ["penataan lokasi pedagang kaki lima"],
        ["jadwal patroli Satpol PP"],
        [
            "Trotoar di {street} penuh lapak sehingga pejalan kaki harus turun ke jalan.",
            "Kegiatan berlangsung hingga larut malam dan mengganggu warga sekitar.",
        ],
        [
            "Satpol PP telah melakukan penertiban dan sosialisasi kepada pedagang",
            "Patroli malam telah ditambah di lokasi tersebut",
        ],
    ),
    "perizinan": (
        ["Pengurusan PBG lambat", "Izin usaha tidak kunjung terbit", "Kendala NIB di OSS"],
        ["layanan konsultasi perizinan daring"],
        ["syarat pengurusan PBG", "biaya izin usaha mikro"],
        [
            "Berkas sudah lengkap sejak {weeks} minggu lalu tetapi status masih dalam proses.",
            "Petugas meminta persyaratan tambahan yang tidak tercantum di situs.",
        ],
        [
            "Permohonan izin telah diproses dan dapat diunduh melalui OSS",
            "Pemohon telah diundang untuk konsultasi teknis",
        ],
    ),
    "air-bersih": (
        ["Air PDAM mati berhari-hari", "Air PDAM keruh", "Tagihan air melonjak tidak wajar"],
        ["perluasan jaringan pipa air minum"],
        ["jadwal pemeliharaan jaringan air", "cara pasang sambungan baru"],
        [
            "Air tidak mengalir di rumah kami sejak {days} hari lalu tanpa pemberitahuan.",
            "Tagihan bulan ini tiga kali lipat padahal pemakaian seperti biasa.",
        ],
        [
            "Kebocoran pipa telah diperbaiki dan aliran air kembali normal",
            "Meteran pelanggan telah diperiksa dan tagihan dikoreksi",
        ],
    ),
    "listrik": (
        ["Listrik sering padam", "Tiang listrik miring membahayakan", "Token listrik tidak masuk"],
        ["penambahan gardu listrik"],
        ["prosedur tambah daya listrik"],
        [
            "Listrik padam hampir setiap malam selama {weeks} minggu terakhir.",
            "Tiang di dekat {street} miring dan kabel menjuntai rendah.",
        ],
        ["Petugas telah memperbaiki jaringan dan mengganti trafo", "Tiang listrik telah ditegakkan kembali"],
    ),
    "kepegawaian": (
        ["Tunjangan pegawai terlambat", "Seleksi PPPK tidak transparan", "Data kepegawaian tidak sesuai"],
        ["keterbukaan jadwal seleksi ASN"],
        ["jadwal seleksi CPNS dan PPPK", "cara memperbaiki data di SIASN"],
        [
            "Data saya di sistem kepegawaian berbeda dengan SK yang saya miliki.",
            "Pengumuman hasil seleksi tidak mencantumkan nilai peserta.",
        ],
        ["Data kepegawaian telah dimutakhirkan", "Penjelasan tertulis mengenai tahapan seleksi telah dikirimkan"],
    ),
    "bencana": (
        ["Tebing longsor menutup jalan", "Pohon tumbang belum dievakuasi", "Rumah rusak akibat angin kencang"],
        ["pemasangan rambu rawan longsor"],
        ["prosedur bantuan korban bencana"],
        [
            "Longsoran tanah menutup separuh badan jalan di dekat {street}.",
            "Warga khawatir longsor susulan karena hujan masih turun setiap hari.",
        ],
        [
            "Tim reaksi cepat BPBD telah membersihkan material longsor",
            "Bantuan logistik telah disalurkan kepada warga terdampak",
        ],
    ),
    "pajak-daerah": (
        ["Tagihan PBB tidak sesuai", "Pembayaran pajak daerah tidak tercatat"],
        ["pembayaran PBB melalui dompet digital"],
        ["cara mengajukan keringanan PBB", "jatuh tempo pembayaran PBB"],
        [
            "Luas bangunan pada SPPT berbeda dengan kondisi sebenarnya.",
            "Pembayaran sudah saya lakukan tetapi masih tercatat menunggak.",
        ],
        [
            "Data objek pajak telah diperbaiki sesuai hasil verifikasi lapangan",
            "Bukti pembayaran telah dicocokkan dan status tunggakan dihapus",
        ],
    ),
}
# Matters of the neighbourhood, handled by the kelurahan office of the report's place (a city
# department sends them there, or the platform routes them straight to it): the kelurahan's own
# services, and the small-scale side of drainage, waste and public order ("selokan di gang", "RT").
KELURAHAN_TEXTS: dict[str, tuple[list[str], list[str], list[str], list[str], list[str]]] = {
    "layanan-kelurahan": (
        [
            "Surat pengantar dari kantor kelurahan dipersulit",
            "Surat keterangan domisili tidak kunjung ditandatangani lurah",
            "Kantor kelurahan tutup pada jam pelayanan",
            "Pungutan untuk surat keterangan usaha di kelurahan",
        ],
        ["pelayanan surat keterangan kelurahan secara daring", "papan informasi syarat layanan di kantor kelurahan"],
        ["syarat surat keterangan domisili dari kelurahan", "jam pelayanan kantor kelurahan"],
        [
            "Saya sudah {days} kali datang ke kantor lurah tetapi petugas selalu meminta kembali besok.",
            "Ketua RT sudah memberi pengantar namun surat dari kelurahan belum juga selesai.",
            "Petugas kelurahan meminta uang tanpa tanda terima.",
        ],
        [
            "Lurah telah memanggil petugas pelayanan dan surat telah diterbitkan",
            "Jam pelayanan kantor kelurahan telah diumumkan kembali kepada warga",
        ],
    ),
    "drainase-banjir": (
        ["Selokan di gang tersumbat", "Parit lingkungan RT meluap", "Gorong-gorong kecil di gang mampet"],
        ["kerja bakti membersihkan parit lingkungan"],
        ["jadwal gotong royong kebersihan parit di kelurahan"],
        [
            "Parit kecil di gang dekat {street} penuh sampah rumah tangga sejak {weeks} minggu.",
            "Pengurus RT sudah melapor ke kantor kelurahan tetapi belum ada kerja bakti.",
        ],
        [
            "Kelurahan bersama warga RT setempat telah bergotong royong membersihkan parit",
            "Lurah telah mengoordinasikan kerja bakti dengan ketua RT dan RW",
        ],
    ),
    "sampah": (
        ["Sampah berserakan di lingkungan RT", "Warga membuang sampah di lahan kosong gang", "Bak sampah RW rusak"],
        ["bank sampah di tingkat RW"],
        ["iuran kebersihan lingkungan RT"],
        [
            "Lahan kosong di ujung gang dekat {street} dijadikan tempat buang sampah oleh warga.",
            "Ketua RT sudah menegur tetapi sampah terus menumpuk dan menimbulkan bau.",
        ],
        [
            "Kelurahan telah memasang papan larangan dan mengajak warga kerja bakti",
            "Lurah telah menegur warga yang membuang sampah sembarangan",
        ],
    ),
    "ketertiban": (
        ["Keributan antarwarga di lingkungan RT", "Warung buka hingga larut malam di gang", "Ternak warga berkeliaran"],
        ["ronda malam di lingkungan RW"],
        ["aturan jam malam di lingkungan RT"],
        [
            "Keributan di gang dekat {street} terjadi hampir setiap malam dan mengganggu tetangga.",
            "Ketua RT sudah menengahi tetapi belum ada penyelesaian dari kelurahan.",
        ],
        [
            "Lurah telah memediasi warga bersama ketua RT dan Bhabinkamtibmas",
            "Kesepakatan warga telah dibuat di kantor kelurahan",
        ],
    ),
}
GENERIC = (
    ["Pelayanan publik kurang memuaskan"],
    ["peningkatan kualitas pelayanan"],
    ["prosedur layanan"],
    ["Masalah ini sudah berlangsung sekitar {weeks} minggu."],
    ["Laporan telah ditindaklanjuti oleh unit terkait"],
)

OPENERS = ["Dengan hormat,", "Selamat pagi, Bapak/Ibu.", "Assalamualaikum.", "Mohon perhatiannya.", "Yth. petugas,", ""]
CLOSERS = [
    "Mohon segera ditindaklanjuti. Terima kasih.",
    "Kami berharap ada perbaikan secepatnya.",
    "Terima kasih atas perhatiannya.",
    "Mohon kejelasannya.",
    "Semoga segera ada solusi.",
]
SUGGEST_BODY = "Kami mengusulkan {what} di {place}. {detail} Hal ini akan sangat membantu warga sekitar."
INFO_BODY = "Mohon informasi mengenai {what}. Saya tinggal di {place} dan belum menemukan penjelasan resminya."
FOLLOW_UP = [
    "Terima kasih atas laporan Anda. {action}. Mohon konfirmasi bila masalah belum teratasi.",
    "Laporan Saudara telah kami terima dan tindak lanjuti: {action}.",
    "{action}. Bila masih ada kendala, silakan tanggapi laporan ini.",
]
REPLIES = [
    "Terima kasih, tetapi sampai hari ini kondisinya belum berubah.",
    "Masalahnya kembali terjadi minggu ini, mohon dicek lagi.",
    "Petugas belum datang ke lokasi, mohon kejelasan jadwalnya.",
    "Informasinya belum menjawab pertanyaan saya.",
]
NOT_AUTHORITY = [
    "Bukan kewenangan instansi kami; mohon diteruskan ke instansi yang berwenang.",
    "Lokasi berada di luar wilayah kerja kami.",
    "Urusan ini ditangani perangkat daerah lain.",
]
FORWARD = ["Diteruskan ke instansi yang berwenang.", "Sesuai pembagian urusan, ditangani instansi lain."]
POSTPONE = [
    "Menunggu ketersediaan anggaran.",
    "Menunggu hasil koordinasi lintas instansi.",
    "Menunggu musim kemarau untuk pengerjaan.",
]
RESUME = ["Anggaran telah tersedia.", "Koordinasi telah selesai."]
REOPEN = ["Masalah belum selesai, kondisi di lapangan masih sama.", "Tindak lanjut tidak sesuai dengan laporan saya."]
RATING_COMMENTS = {
    1: "Tidak ada perbaikan nyata.",
    2: "Lambat sekali.",
    3: "Cukup.",
    4: "Terima kasih, sudah ditangani.",
    5: "Sangat cepat dan jelas, terima kasih!",
}
STREETS = [
    "Jl. Sudirman",
    "Jl. Ahmad Yani",
    "Jl. Imam Bonjol",
    "Jl. Diponegoro",
    "Jl. Sutan Syahrir",
    "Jl. Hamka",
    "Jl. Mohammad Hatta",
    "Jl. Kartini",
    "Jl. Pahlawan",
    "Jl. Merdeka",
    "Jl. Syech Ibrahim Musa",
    "Jl. Tan Malaka",
    "Jl. Pemuda",
    "Jl. Veteran",
    "Jl. Gajah Mada",
    "Jl. Bundo Kanduang",
]
FIRST_NAMES = [
    "Siti",
    "Ahmad",
    "Budi",
    "Dewi",
    "Rina",
    "Andi",
    "Putri",
    "Rizki",
    "Nur",
    "Agus",
    "Yuni",
    "Fajar",
    "Indah",
    "Hendra",
    "Sri",
    "Dedi",
    "Wulan",
    "Rahmat",
    "Fitri",
    "Yusuf",
    "Lestari",
    "Irfan",
    "Mega",
    "Taufik",
    "Nurul",
    "Arif",
    "Dian",
    "Zulkifli",
    "Rahmi",
    "Syafri",
    "Yeni",
    "Afrizal",
    "Desi",
    "Hamdani",
]
LAST_NAMES = [
    "Rahmawati",
    "Saputra",
    "Santoso",
    "Lestari",
    "Hidayat",
    "Putra",
    "Nasution",
    "Siregar",
    "Wijaya",
    "Pratama",
    "Kurniawan",
    "Harahap",
    "Syahputra",
    "Rangkuti",
    "Chaniago",
    "Piliang",
    "Koto",
    "Tanjung",
    "Sikumbang",
    "Jambak",
    "Wahyuni",
    "Permata",
    "Setiawan",
    "Hasibuan",
    "Gunawan",
    "Yulianti",
]
