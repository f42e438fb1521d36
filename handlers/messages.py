"""Every sentence the bot says to a citizen, in one place (WhatsApp markup: *bold*, _italic_)."""

from __future__ import annotations

GREETING = (
    "Halo, selamat datang di layanan informasi *{agency}*. 🙏\n"
    "Silakan tanyakan persyaratan, biaya, lama proses atau prosedur layanan, "
    "misalnya: _syarat kks hilang_ atau _berapa lama urus bpjs pbi_.\n"
    "Ketik *menu* untuk daftar layanan."
)
GREETING_NO_AGENCY = (
    "Halo, selamat datang di layanan informasi Dinas Sosial. 🙏\n"
    "Silakan tanyakan persyaratan, biaya, lama proses atau prosedur layanan. "
    "Ketik *menu* untuk melihat apa saja yang bisa dibantu."
)
THANKS = "Sama-sama. 🙏 Jika ada pertanyaan lain, silakan ketik saja, atau ketik *menu*."
EMPTY = (
    "Maaf, pesan Anda tidak dapat kami baca. Silakan ketik pertanyaan dengan huruf, "
    "misalnya: _syarat kks hilang_. Ketik *menu* untuk daftar layanan."
)
APOLOGY = (
    "Mohon maaf, terjadi gangguan saat memproses pesan Anda. Silakan coba lagi sebentar lagi, "
    "atau ketik *menu*."
)
RESET = "Percakapan dimulai dari awal. Silakan ketik pertanyaan Anda, atau *menu*."

MENU_HEAD = "*Layanan {agency}* yang bisa ditanyakan:"
MENU_TAIL = (
    "Balas dengan *nomor* layanan, atau tanyakan langsung, misalnya _syarat nomor 1_.\n"
    "Info lain: *jam buka*, *alamat*, *pengaduan*. Untuk melapor masalah bantuan ketik *lapor*."
)
MENU_NO_AGENCY = (
    "Saya bisa membantu:\n"
    "1. Persyaratan, biaya, lama proses dan prosedur layanan Dinas Sosial\n"
    "2. Jam pelayanan, alamat dan kontak kantor\n"
    "3. Cara menyampaikan pengaduan (ketik *lapor*)\n\n"
    "Agar jawabannya tepat, Anda tinggal di kabupaten/kota mana?"
)

ASK_AGENCY = "Agar jawabannya sesuai, Anda tinggal di kabupaten/kota mana? Balas dengan nomor:"
UNKNOWN_AGENCY = (
    "Maaf, kami belum melayani daerah tersebut. Layanan ini untuk daerah berikut; balas dengan nomor:"
)
AGENCY_SET = "Baik, kami catat Anda warga *{region}*."
ASK_SERVICE = "Layanan mana yang Anda maksud? Balas dengan nomor:"
ASK_SERVICE_FOR = "Untuk *{aspect}*, layanan mana yang Anda maksud? Balas dengan nomor:"

FALLBACK = (
    "Maaf, pertanyaan ini tidak tercakup dalam standar pelayanan *{agency}*, "
    "jadi kami tidak dapat menjawabnya. {hint}\n"
    "Ketik *menu* untuk daftar layanan, atau *petugas* bila ingin dibantu petugas."
)
FALLBACK_NO_AGENCY = (
    "Maaf, pertanyaan ini tidak tercakup dalam standar pelayanan Dinas Sosial yang kami punya, "
    "jadi kami tidak dapat menjawabnya. {hint}\n"
    "Ketik *menu* untuk daftar layanan, atau *petugas* bila ingin dibantu petugas."
)
ALL_FREE = (
    "Layanan Dinas Sosial *tidak dipungut biaya (gratis)*: begitu tertulis di semua standar pelayanan yang kami "
    "punya ({regions}).\n"
    "Jika ada yang meminta bayaran, laporkan dengan mengetik *lapor*."
)
ONLY_ONE_AGENCY = (
    "*{name}* yang kami punya berasal dari standar pelayanan *{agency}*. "
    "Agar tidak keliru, Anda tinggal di kabupaten/kota mana? Balas dengan nomor:"
)
NOT_HERE = (
    "Maaf, *{name}* tidak tercantum dalam standar pelayanan *{agency}* (kami hanya punya standar "
    "layanan ini dari *{owner}*), jadi tidak dapat kami jawab untuk daerah Anda.\n"
    "Silakan tanyakan langsung ke kantor Dinas Sosial (ketik *alamat*), atau ketik *menu* untuk daftar layanan."
)
OFFICER = (
    "Untuk dibantu langsung oleh petugas *{agency}*, silakan hubungi:\n{contact}\n"
    "Petugas melayani pada jam kerja."
)
OFFICER_NO_AGENCY = "Agar kami bisa menunjukkan kontak petugas yang tepat, Anda tinggal di kabupaten/kota mana?"

# Questions about the bot and about complaining (handlers/about.py).
GENERIC_AGENCY = "Dinas Sosial"
BOT_PRESENCE = (
    "Halo 🙏 Ini layanan *otomatis* (bot) {agency}: pertanyaan tentang persyaratan, biaya, lama proses dan "
    "prosedur layanan dijawab langsung dari standar pelayanan.\n"
    "Bila ingin dibantu petugas, ketik *petugas* untuk kontak kantor (petugas melayani pada jam kerja)."
)
PHOTO_HERE = (
    "Bisa, foto atau PDF dokumen (KTP, KK, KKS, buku tabungan) boleh dikirim di sini dan kami simpan. "
    "Untuk mengadu, ketik *lapor*; untuk mengurus layanan, dokumennya tetap dibawa ke kantor.\n"
    "_Jangan kirim foto PIN atau kode rahasia._"
)
COMPLAINT_STATUS = (
    "Maaf, bot ini belum bisa melihat status pengaduan.\n"
    "• Lewat SP4N-LAPOR!: lihat di www.lapor.go.id dengan nomor pelacakan yang Anda terima (menurut ketentuan "
    "LAPOR!, laporan diteruskan paling lambat 3 hari kerja, lalu instansi menindaklanjuti paling lambat "
    "5 hari kerja).\n"
    "• Langsung ke kantor Dinas Sosial: tanyakan melalui\n{office}"
)
STATUS_OFFICE_UNKNOWN = "kantor Dinas Sosial tempat Anda mengadu."
COMPLAINT_FEAR = (
    "Menyampaikan pengaduan adalah *hak* Anda, dijamin UU 25/2009 tentang Pelayanan Publik. 🙏\n"
    "Lewat SP4N-LAPOR! (www.lapor.go.id) Anda bisa memilih *Anonim* (identitas Anda tidak ditampilkan) atau "
    "*Rahasia* (laporan tidak ditampilkan untuk umum).\n"
    "Ketik *lapor* untuk cara menyampaikan pengaduan."
)

# A problem told: one line of empathy and what the office can do, per problem (lexicon.yaml "problems").
COMPLAINT_EMPATHY = "Mohon maaf atas kendala yang Anda alami. 🙏 Masalah seperti ini bisa diadukan."
PROBLEM_EMPATHY = {
    "aid-cut": (
        "Mohon maaf atas kejadian ini. 🙏 Bantuan sosial harus diterima *utuh*: tidak boleh dipotong atau "
        "dimintai uang oleh siapa pun, dengan alasan apa pun (transport, fotokopi, jasa)."
    ),
    "card-held": (
        "Mohon maaf atas kejadian ini. 🙏 Kartu KKS, buku tabungan dan PIN adalah *milik KPM* dan dipegang "
        "sendiri; tidak boleh ditahan ketua kelompok, pendamping, agen atau siapa pun."
    ),
    "pbi-inactive": "Mohon maaf, kami paham ini mendesak, apalagi bila sedang perlu berobat. 🙏",
    "kks-lost-or-blocked": "Mohon maaf atas kendala kartu Anda. 🙏 Kartu bisa diurus penggantiannya, tanpa biaya.",
    "card-not-given": (
        "Mohon maaf, kartu Anda belum diterima. 🙏 KKS diserahkan langsung kepada KPM yang terdaftar, tanpa biaya."
    ),
    "less-than-announced": (
        "Mohon maaf atas kejadian ini. 🙏 Bantuan harus diterima sesuai jumlah yang ditetapkan; "
        "selisihnya perlu diperiksa."
    ),
    "not-received": (
        "Mohon maaf, bantuan Anda belum diterima. 🙏 Penyebabnya perlu diperiksa petugas "
        "(data penerima, saldo, atau kartu)."
    ),
    "not-registered": (
        "Mohon maaf atas kendala ini. 🙏 Dinas Sosial dapat memeriksa data Anda; usulan penerima bantuan dan "
        "perbaikan data biasanya diajukan lewat desa/kelurahan."
    ),
    "queue": "Mohon maaf atas antrean yang menyulitkan Anda. 🙏 Keluhan tentang pelayanan ini bisa diadukan.",
    "delay": "Mohon maaf atas keterlambatan ini. 🙏 Anda berhak menanyakan dan mengadukannya.",
    "conduct": "Mohon maaf atas perlakuan yang Anda alami. 🙏 Setiap warga berhak dilayani dengan sopan.",
}
PROBLEM_SERVICE = "Layanan yang bisa membantu: *{name}* ({summary})."
PROBLEM_BRING = "Bawa:"
PROBLEM_MORE_ITEMS = "_…ketik *syarat* untuk daftar lengkap._"
PROBLEM_STANDARD = "Menurut standar pelayanan {agency}: _{line}_"
COMPLAINT_CHANNELS = "Untuk mengadu, ketik *lapor*, atau langsung melalui:\n{channels}"
COMPLAINT_SAFE = "_Jangan berikan PIN atau uang kepada siapa pun; layanan Dinas Sosial tidak dipungut biaya._"
COMPLAINT_HOWTO = (
    "Pengaduan bisa disampaikan melalui:\n{channels}\n"
    "Sertakan: nama, alamat, nomor KKS/KTP, uraian masalah, dan foto dokumen bila ada. "
    "Formulir pengaduan lewat chat ini sedang disiapkan.\n"
    "_Layanan Dinas Sosial tidak dipungut biaya; jangan berikan PIN atau uang kepada siapa pun._"
)
COMPLAINT_NO_AGENCY = (
    "Mohon maaf atas kendala yang Anda alami. 🙏 Masalah seperti ini bisa diadukan ke Dinas Sosial "
    "atau lewat SP4N-LAPOR (www.lapor.go.id).\n"
    "Agar kami bisa menunjukkan saluran pengaduan yang tepat, Anda tinggal di kabupaten/kota mana?"
)
NATIONAL_CHANNEL = "SP4N-LAPOR: www.lapor.go.id"

# Answers from a service standard. {name} is the service's name.
TITLE = {
    "requirements": "Persyaratan",
    "fee": "Biaya",
    "duration": "Jangka waktu",
    "procedure": "Prosedur",
    "products": "Produk layanan",
    "complaints": "Pengaduan, saran dan masukan",
    "legal": "Dasar hukum",
    "facilities": "Sarana dan fasilitas",
    "executors": "Jumlah pelaksana",
    "competencies": "Kompetensi pelaksana",
    "guarantees": "Jaminan pelayanan",
    "supervision": "Pengawasan internal",
    "evaluation": "Evaluasi kinerja pelaksana",
    "warnings": "Peringatan",
    "detail": "Rincian SOP",
    "hours": "Jam pelayanan",
    "contact": "Alamat dan kontak",
    "overview": "Informasi layanan",
    "howto": "Cara mengurus",
}
ASPECT_WORD = {
    "requirements": "persyaratan", "fee": "biaya", "duration": "lama proses", "procedure": "prosedur",
    "products": "produk layanan", "complaints": "pengaduan", "legal": "dasar hukum",
    "facilities": "fasilitas", "executors": "jumlah pelaksana", "competencies": "kompetensi pelaksana",
    "guarantees": "jaminan pelayanan", "supervision": "pengawasan", "evaluation": "evaluasi",
    "warnings": "peringatan", "detail": "rincian SOP", "howto": "cara mengurus",
}
HEADING = "*{title} – {name}*"
HOWTO_BRING = "*Persyaratan:*"
HOWTO_STEPS = "*Langkah-langkah:*"
HOWTO_ELIGIBLE = "*Syarat penerima:*"
HOWTO_REGISTER = (
    "_Keterangan umum (bukan dari standar ini):_ penerima bantuan diambil dari data kesejahteraan sosial "
    "pemerintah; usulan pendaftaran diajukan lewat *desa/kelurahan*, lalu diverifikasi Dinas Sosial."
)
HOWTO_OFFICE_STEPS = "Langkah di standar ini adalah pekerjaan kantor (penyaluran); ketik *prosedur* untuk melihatnya."
PRODUCTS_VAGUE = "*Rinciannya menurut prosedur:*"
YES_AT_OFFICE = "*Ya*, layanan ini diurus di *{agency}*."
YES_REQUIRED = "*Ya*, ini termasuk persyaratan:"
NOT_REQUIRED = "*Tidak*, dokumen itu tidak tercantum dalam persyaratan di standar pelayanan. Yang diminta:"
DETAIL_FOR = "_(untuk: {group})_"
DETAIL_LINE = "👉 {line}"
DETAIL_REST = "*Selengkapnya:*"
PROBLEM_ANSWER = "*{title} – {agency}*\nMenurut standar pelayanan: _{line}_"
PROBLEM_ANSWER_NEXT = "Bila ingin mengadu, ketik *lapor*."
PROBLEM_TITLE = {
    "kks-lost-or-blocked": "KKS hilang, rusak atau terblokir",
}
FEE_FREE = "Layanan ini *tidak dipungut biaya (gratis)*."
FEE_AS_WRITTEN = "Tertulis di standar: \"{fee}\"."
FEE_WARNING = "Jika ada yang meminta bayaran, laporkan dengan mengetik *lapor*."
FEE_GENERAL = "{general}"
DURATION = "Jangka waktu penyelesaian: *{human}*."
DURATION_AS_WRITTEN = "Tertulis di standar: \"{text}\"."
DURATION_STEPS = "Ketik *detail* untuk waktu tiap langkah."
STEP_ACTOR_TIME = " _({who})_"
FEE_LINE = "Biaya: *{fee}*."
DURATION_LINE = "Lama proses: *{duration}*."
SUMMARY_LINE = "Lama proses: *{duration}*. Biaya: *{fee}*."
FREE_SHORT = "gratis (tidak dipungut biaya)"
PAID_SHORT = "lihat ketentuan"
REQUIREMENTS_VAGUE = (
    "Standar pelayanan hanya menyebut \"{text}\", tanpa rincian dokumen. "
    "Sebelum datang, tanyakan dulu dokumen yang perlu dibawa:"
)
NOT_STATED = "{what} untuk layanan ini tidak tercantum dalam standar pelayanan."
AGENCY_NOT_STATED = "{what} *{agency}* tidak tercantum dalam standar pelayanan yang kami punya."
CONTACT_FALLBACK = "Silakan datang langsung ke kantor atau gunakan saluran pengaduan: ketik *pengaduan*."
WARNING_PREFIX = "⚠️ "
MORE = "Ketik *lanjut* untuk bagian berikutnya."
NO_MORE = "Tidak ada lanjutan. Silakan ketik pertanyaan lain, atau *menu*."
NEXT_STEP = "Ketik *{a}*, *{b}* atau *{c}* untuk info lain, atau *menu*."
SOURCE = "_Sumber: SP {agency} {number}_"  # SP: Standar Pelayanan
SOURCE_SOP = "_Sumber: SOP {name}, {agency}_"
NO_SCHEDULE = "• {days}: tidak ada jadwal pelayanan"
HOURS_LINE = "• {days}: {open}–{close} {tz}"
CONTACT_LINES = {
    "address": "Alamat: {value}",
    "phone": "Telepon: {value}",
    "whatsapp": "WhatsApp: {value}",
    "email": "E-mail: {value}",
    "website": "Website: {value}",
    "instagram": "Instagram: @{value}",
}
TZ_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
DAY_NAMES = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]

# Channels (WhatsApp, Telegram): subscriptions, photos and documents.
OPTED_OUT = (
    "Anda tidak akan lagi menerima pengumuman (jadwal penyaluran, pembagian KKS) dari layanan ini. "
    "Anda tetap bisa bertanya kapan saja. Ketik *LANGGANAN* untuk berlangganan lagi."
)
OPTED_IN = (
    "Terima kasih, Anda akan menerima pengumuman (jadwal penyaluran, pembagian KKS) dari layanan ini. "
    "Ketik *BERHENTI* bila tidak ingin menerimanya lagi."
)
TELEGRAM_START = (
    "Halo, selamat datang di layanan informasi Dinas Sosial. 🙏\n"
    "Silakan tanyakan persyaratan, biaya, lama proses atau prosedur layanan, misalnya: _syarat kks hilang_. "
    "Ketik *menu* untuk daftar layanan.\n"
    "Bila berkenan, bagikan nomor HP Anda dengan tombol di bawah agar petugas dapat menghubungi Anda."
)
SHARE_PHONE_BUTTON = "Bagikan nomor HP saya"
PHONE_SAVED = "Terima kasih, nomor HP Anda sudah kami simpan."
PHONE_NOT_OWN = "Maaf, yang bisa kami simpan hanya nomor HP Anda sendiri (gunakan tombol *Bagikan nomor HP saya*)."
MEDIA_RECEIVED = (
    "Terima kasih, {what} sedang kami proses. 🙏\n"
    "Bila ini untuk pengaduan (misalnya saldo kosong atau kartu ditahan), ketik *lapor* untuk caranya. "
    "Jangan kirim foto PIN atau kode rahasia."
)
MEDIA_WHAT_ONE = "foto/dokumen Anda"
MEDIA_WHAT_MANY = "{n} foto/dokumen Anda"
MEDIA_REJECTED = (
    "Maaf, file yang Anda kirim tidak bisa kami terima. Kirimkan dalam bentuk *foto* (JPG, PNG, WEBP) "
    "atau *PDF*."
)
MEDIA_TOO_LARGE = (
    "Maaf, file yang Anda kirim terlalu besar (maks. {size}). "
    "Mohon kirim sebagai *foto* biasa (bukan file), atau foto ulang dokumennya dengan kamera HP."
)
MEDIA_FAILED = (
    "Maaf, foto/dokumen yang Anda kirim gagal kami unduh. Mohon kirim ulang, atau datang langsung ke kantor."
)
PROCESSING_FAILED = (
    "Maaf, pesan Anda belum dapat kami proses karena gangguan sistem. "
    "Pesan Anda sudah kami catat dan akan diperiksa petugas. 🙏"
)

# The web chat simulator (a demonstration page, shared fairly between visitors).
SIMULATOR_TOO_FAST = "Mohon tunggu sebentar sebelum mengirim pesan berikutnya."
SIMULATOR_BUSY = "Simulator sedang sibuk. Mohon coba beberapa saat lagi."
